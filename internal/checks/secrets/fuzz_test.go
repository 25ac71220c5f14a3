package secrets

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/client"
)

// FuzzLiveParsers feeds hostile bodies to everything SEC-003..005 read
// from the target: the file provers, the listing reader, data: URLs and
// the script patterns. None may panic or run unbounded.
func FuzzLiveParsers(f *testing.F) {
	f.Add([]byte("NODE_ENV=production\nDATABASE_URL=postgres://u:p@h/db\n"))
	f.Add([]byte("ref: refs/heads/main\n"))
	f.Add([]byte("[core]\n\trepositoryformatversion = 0\n\turl = https://u:p@git.example.com/x\n"))
	f.Add([]byte(`<title>Index of /static/</title><a href="app.js">app.js</a><a href="%zz">bad</a>`))
	f.Add([]byte("data:application/json;base64,eyJ2ZXJzaW9uIjozfQ=="))
	f.Add([]byte("import(\"./a.js\");\n//# sourceMappingURL=app.js.map\n"))
	f.Add([]byte("\x00\x00\x00\x01Bud1"))
	base, _ := url.Parse("https://portal.test/static/")
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, x := range exposures {
			held, ok := x.prove(body)
			if ok && held == "" {
				t.Fatalf("%s proved with no description", x.path)
			}
		}
		resp := &client.Response{StatusCode: http.StatusOK, URL: base, Header: http.Header{}, Body: body}
		if names, ok := directoryListing(resp); ok && len(names) > 1000 {
			t.Fatalf("%d names", len(names))
		}
		isHTML(resp)
		decodeDataURL(string(body))
		sourceMapComment.FindAllStringSubmatch(string(body), -1)
		for _, m := range moduleImport.FindAllStringSubmatch(string(body), maxScripts) {
			if !strings.HasSuffix(m[1], "js") {
				t.Fatalf("import %q", m[1])
			}
		}
	})
}
