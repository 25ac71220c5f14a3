package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Static asset content types.
const (
	contentTypeJS   = "text/javascript; charset=utf-8"
	contentTypeText = "text/plain; charset=utf-8"
)

// assets are the files built once at app start and served from memory;
// the demo repository's dist/ folder holds the same bytes.
type assets struct {
	// bundle is /static/app.js.
	bundle []byte
	// sourceMap is /static/app.js.map: nil unless PublicSourceMap.
	sourceMap []byte
	// dotenv is /.env: nil unless ExposedEnvFile.
	dotenv []byte
}

// buildAssets renders the bundle, its source map and the served .env for
// the flaws f with this run's planted values s.
func buildAssets(f Flaws, s planted) (assets, error) {
	a := assets{bundle: []byte(bundleJS(f, s))}
	if f.PublicSourceMap {
		m, err := sourceMapJSON(f, s)
		if err != nil {
			return assets{}, fmt.Errorf("building the source map: %w", err)
		}
		a.sourceMap = m
	}
	if f.ExposedEnvFile {
		a.dotenv = []byte(servedDotenv(s))
	}
	return a, nil
}

// bundleJS is /static/app.js: the runtime config object (a publishable
// Stripe key, the secret one with SecretInBundle, a test-mode one with
// TestModeKey), the dashboard
// script and the admin tools, then the source map comment with
// PublicSourceMap.
func bundleJS(f Flaws, s planted) string {
	var b strings.Builder
	b.WriteString("// Portal frontend bundle, built from src/config.js and src/app.js.\n")
	fmt.Fprintf(&b, "var portalConfig = {stripeKey: %q", s.stripePublishable)
	if f.SecretInBundle {
		fmt.Fprintf(&b, ", stripeSecret: %q", s.stripeSecret)
	}
	if f.TestModeKey {
		fmt.Fprintf(&b, ", checkoutKey: %q", s.stripeTestPublishable)
	}
	b.WriteString("};\n")
	b.WriteString(dataJS(s))
	b.WriteString(dashboardJS(f))
	if f.PublicSourceMap {
		b.WriteString("//# sourceMappingURL=app.js.map\n")
	}
	return b.String()
}

// dataJS is the bundle's data layer: the members' notes, orders and
// avatars through the portal's Supabase project, as supabase-js code
// reaches them with the publishable key.
func dataJS(s planted) string {
	// Only functions: the page loads no supabase-js, so nothing here may
	// run at load time (a ReferenceError would stop the rest of the
	// bundle).
	return fmt.Sprintf(`function dataClient() { return supabase.createClient(%q, %q); }
function loadNotes() { return dataClient().from("notes").select("id, body").order("id"); }
function loadOrders() { return dataClient().from("orders").select("id, item, total"); }
function listAvatar(uid) { return dataClient().storage.from("avatars").list(uid + "/", {limit: 1}); }
`, s.dataURL, s.dataAnon)
}

// dashboardJS is the bundle's code: the theme script (the token-storing
// one with TokenInLocalStorage) and the admin tools.
func dashboardJS(f Flaws) string {
	if f.TokenInLocalStorage {
		return tokenStorageJS + adminJS
	}
	return themeJS + adminJS
}

// configSource is src/config.js as the source map carries it: the keys
// the bundle uses, and the Supabase keys it does not, the service_role
// one among them (the PublicSourceMap flaw's secret).
func configSource(f Flaws, s planted) string {
	var b strings.Builder
	b.WriteString("// Runtime configuration shared by the client and the server.\n")
	fmt.Fprintf(&b, "export const stripePublishableKey = %q;\n", s.stripePublishable)
	if f.SecretInBundle {
		fmt.Fprintf(&b, "export const stripeSecretKey = %q;\n", s.stripeSecret)
	}
	fmt.Fprintf(&b, "export const supabaseUrl = %q;\n", s.supabaseURL)
	fmt.Fprintf(&b, "export const supabaseAnonKey = %q;\n", s.supabaseAnon)
	fmt.Fprintf(&b, "export const supabaseServiceKey = %q;\n", s.supabaseService)
	return b.String()
}

// sourceMapV3 is a revision 3 source map.
type sourceMapV3 struct {
	Version        int      `json:"version"`
	File           string   `json:"file"`
	Sources        []string `json:"sources"`
	SourcesContent []string `json:"sourcesContent"`
	Names          []string `json:"names"`
	Mappings       string   `json:"mappings"`
}

// sourceMapJSON is /static/app.js.map, embedding both original sources.
// The sources are JSON-escaped inside it, as bundlers write them.
func sourceMapJSON(f Flaws, s planted) ([]byte, error) {
	m := sourceMapV3{
		Version:        3,
		File:           "app.js",
		Sources:        []string{"src/config.js", "src/app.js"},
		SourcesContent: []string{configSource(f, s), dashboardJS(f)},
		Names:          []string{},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// servedDotenv is the production .env the ExposedEnvFile flaw serves.
func servedDotenv(s planted) string {
	return "NODE_ENV=production\n" +
		"PORT=3000\n" +
		"APP_URL=https://portal.test\n" +
		"DATABASE_URL=postgres://portal_app:" + s.envDBPassword + "@db.portal.internal:5432/portal\n" +
		"SMTP_HOST=smtp.portal.internal\n" +
		"SMTP_PORT=587\n" +
		"SMTP_USER=portal\n" +
		"SMTP_PASSWORD=" + s.envSMTPSecret + "\n"
}

// assetRoutes adds the bundle, and the source map and .env when their
// flaws serve them; otherwise those paths fall to the not-found page.
func (a *app) assetRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /static/app.js", a.script)
	if a.assets.sourceMap != nil {
		mux.HandleFunc("GET /static/app.js.map", a.sourceMap)
	}
	if a.assets.dotenv != nil {
		mux.HandleFunc("GET /.env", a.dotenv)
	}
}

// script serves /static/app.js, the dashboard's one script.
func (a *app) script(w http.ResponseWriter, r *http.Request) {
	serveAsset(w, contentTypeJS, "public, max-age=86400", a.assets.bundle)
}

// sourceMap serves the bundle's source map (PublicSourceMap).
func (a *app) sourceMap(w http.ResponseWriter, r *http.Request) {
	serveAsset(w, "application/json", "public, max-age=86400", a.assets.sourceMap)
}

// dotenv serves the production .env as a static file server would
// (ExposedEnvFile).
func (a *app) dotenv(w http.ResponseWriter, r *http.Request) {
	serveAsset(w, contentTypeText, "", a.assets.dotenv)
}

// serveAsset writes one in-memory file.
func serveAsset(w http.ResponseWriter, contentType, cacheControl string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	if cacheControl != "" {
		w.Header().Set("Cache-Control", cacheControl)
	}
	_, _ = w.Write(body) // a client that went away needs no file
}
