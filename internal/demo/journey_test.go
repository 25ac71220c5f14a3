package demo

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Helpers for the signup, verification, reset and inbox tests.

// strongPassword returns a fresh password every policy accepts.
func strongPassword() string { return "Lr-" + randomHex(10) }

// testEmail returns a fresh scanner-style tagged address.
func testEmail(tag string) string { return "launchready+" + tag + randomHex(4) + "@portal.test" }

var hiddenField = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// pageForm GETs a page with c and returns its hidden fields.
func pageForm(t *testing.T, c *http.Client, rawURL string) (url.Values, string) {
	t.Helper()
	resp, body := get(t, c, rawURL)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", rawURL, resp.StatusCode, body)
	}
	v := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(body, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v, body
}

// signupWith submits the signup form with c.
func signupWith(t *testing.T, p *Portal, c *http.Client, email, pw string) (*http.Response, string) {
	t.Helper()
	form, _ := pageForm(t, c, p.URL+"/signup")
	form.Set("email", email)
	form.Set("password", pw)
	form.Set("name", "Launchready Test")
	return do(t, c, http.MethodPost, p.URL+"/signup", form, "")
}

// signup submits the signup form with a fresh client.
func signup(t *testing.T, p *Portal, email, pw string) (*http.Response, string) {
	t.Helper()
	return signupWith(t, p, newClient(t, p, true), email, pw)
}

// signupVerified signs a fresh member up and follows the mailed link.
func signupVerified(t *testing.T, p *Portal, tag string) (email, pw string) {
	t.Helper()
	email, pw = testEmail(tag), strongPassword()
	if resp, body := signup(t, p, email, pw); resp.StatusCode != http.StatusOK || !strings.Contains(body, msgCheckInbox) {
		t.Fatalf("signup %s: %d\n%s", email, resp.StatusCode, body)
	}
	link := linkIn(t, lastMail(t, p, email, "Verify your email"), "/verify")
	if resp, _ := get(t, newClient(t, p, false), onPortal(p, link)); resp.StatusCode != http.StatusOK {
		t.Fatalf("verifying %s: %d", email, resp.StatusCode)
	}
	return email, pw
}

// loginAs submits the login form with c (fetching the login page first).
func loginAs(t *testing.T, p *Portal, c *http.Client, email, pw string) (*http.Response, string) {
	t.Helper()
	return do(t, c, http.MethodPost, p.URL+"/login", loginForm(t, c, p, email, pw), "")
}

// freshLogin logs in without any session cookie from before the login (no
// jar, only pl_csrf): the server has to mint a new session token.
func freshLogin(t *testing.T, p *Portal, email, pw string) *http.Response {
	t.Helper()
	c := newClient(t, p, false)
	resp, body := get(t, c, p.URL+"/login")
	var pl string
	for _, ck := range resp.Cookies() {
		if ck.Name == csrfCookie {
			pl = ck.Name + "=" + ck.Value
		}
	}
	m := csrfField.FindStringSubmatch(body)
	if pl == "" || m == nil {
		t.Fatal("no pl_csrf cookie or _csrf field on /login")
	}
	resp, _ = do(t, c, http.MethodPost, p.URL+"/login", url.Values{"_csrf": {m[1]}, "email": {email}, "password": {pw}}, pl)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("fresh login as %s: %d", email, resp.StatusCode)
	}
	return resp
}

// cookieOf returns the named cookie a response set, or nil.
func cookieOf(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// jarValue is the value of the named cookie in c's jar for the portal.
func jarValue(t *testing.T, c *http.Client, p *Portal, name string) string {
	t.Helper()
	u, _ := url.Parse(p.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// sessionNameFor is the session cookie's name under f.
func sessionNameFor(f Flaws) string {
	if f.CookieNotSecure {
		return "pm"
	}
	return "__Host-pm"
}

// bodyText unescapes a page for matching text that holds "+" (html/template
// writes it as &#43;).
func bodyText(body string) string { return html.UnescapeString(body) }

// Inbox API shapes as the tests read them.
type (
	apiAddr    struct{ Name, Address string }
	apiSummary struct {
		ID, MessageID, Subject string
		From                   apiAddr
		To                     []apiAddr
		Created                time.Time
	}
	apiList struct {
		Total    int          `json:"total"`
		Messages []apiSummary `json:"messages"`
	}
	apiMessage struct {
		ID, MessageID, Subject, Text, HTML string
		From                               apiAddr
		To                                 []apiAddr
		Date                               time.Time
	}
)

// inboxGet fetches an inbox API path; v, when not nil, receives the JSON.
func inboxGet(t *testing.T, p *Portal, path string, v any) (*http.Response, []byte) {
	t.Helper()
	tr := &http.Transport{Proxy: nil}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get(p.InboxURL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("GET %s: %v\n%s", path, err, b)
		}
	}
	return resp, b
}

// mailsTo searches the inbox for mail to addr, newest first.
func mailsTo(t *testing.T, p *Portal, addr string) []apiSummary {
	t.Helper()
	var l apiList
	inboxGet(t, p, "/api/v1/search?query="+url.QueryEscape(`to:"`+addr+`"`), &l)
	return l.Messages
}

// lastMail returns the newest mail to addr whose subject holds subject.
func lastMail(t *testing.T, p *Portal, addr, subject string) apiMessage {
	t.Helper()
	for _, s := range mailsTo(t, p, addr) {
		if strings.Contains(s.Subject, subject) {
			var m apiMessage
			inboxGet(t, p, "/api/v1/message/"+s.ID, &m)
			return m
		}
	}
	t.Fatalf("no mail %q to %s", subject, addr)
	return apiMessage{}
}

var linkPattern = regexp.MustCompile(`https?://[^\s"<>]+`)

// linkIn returns the mail's link to path from the text part and checks the
// HTML part carries it too.
func linkIn(t *testing.T, m apiMessage, path string) string {
	t.Helper()
	for _, l := range linkPattern.FindAllString(m.Text, -1) {
		if u, err := url.Parse(l); err == nil && u.Path == path {
			if !strings.Contains(m.HTML, `href="`+html.EscapeString(l)+`"`) {
				t.Errorf("the HTML part lacks the link %s", l)
			}
			return l
		}
	}
	t.Fatalf("no link to %s in the mail:\n%s", path, m.Text)
	return ""
}

// onPortal moves a mail link onto the canonical origin: LocalhostLinks
// point where no browser reaches the portal.
func onPortal(p *Portal, link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return link
	}
	return p.URL + u.RequestURI()
}
