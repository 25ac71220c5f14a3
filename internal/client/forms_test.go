package client

import (
	"mime"
	"net/http"
	"strings"
	"testing"

	"github.com/launchready/launchready/internal/page"
)

// TestFormSubmission: a form goes as a browser submits it: its method
// (never a password in a URL), its encoding, its hidden fields and button,
// the values over them, and the headers of a navigation from its page.
func TestFormSubmission(t *testing.T) {
	pageURL := mustURL(t, "https://portal.test/login?next=/billing")
	from := &Response{URL: pageURL, Header: http.Header{"Referrer-Policy": {"same-origin"}}}
	tests := []struct {
		name, html, action    string
		method, url, ct, body string
		values                map[string]string
	}{
		{name: "POST form: hidden fields, button, values over them",
			html:   `<form method=post action=/session><input type=hidden name=csrf value=c1><input type=hidden name=next value=/home><input name=email value=old><input type=password name=pw><button name=commit value="Sign in">Sign in</button></form>`,
			values: map[string]string{"email": "a@portal.test", "pw": "x"},
			method: "POST", url: "https://portal.test/session", ct: "application/x-www-form-urlencoded",
			body: "commit=Sign+in&csrf=c1&email=a%40portal.test&next=%2Fhome&pw=x"},
		{name: "GET form: its data in the URL",
			html:   `<form action="/forgot?x=1"><input name=email><button>Send</button></form>`,
			values: map[string]string{"email": "a@portal.test"},
			method: "GET", url: "https://portal.test/forgot?email=a%40portal.test"},
		{name: "a password never goes in a URL",
			html:   `<form><input name=email><input type=password name=pw></form>`,
			values: map[string]string{"pw": "x"},
			method: "POST", url: pageURL.String(), ct: "application/x-www-form-urlencoded", body: "email=&pw=x"},
		{name: "an explicit action is POSTed",
			html: `<form><input type=hidden name=t value=1></form>`, action: "https://portal.test/api/session",
			method: "POST", url: "https://portal.test/api/session", ct: "application/x-www-form-urlencoded", body: "t=1"},
		{name: "multipart, as a server action's form",
			html:   `<form method=post enctype="multipart/form-data"><input type=hidden name="$ACTION_ID_ab12" value=""><input name=email></form>`,
			values: map[string]string{"email": "a@portal.test"},
			method: "POST", url: pageURL.String(), ct: "multipart/form-data",
			body: `name="$ACTION_ID_ab12"|name="email"|a@portal.test`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forms := page.Forms([]byte(tt.html), pageURL)
			values := map[string][]string{}
			for k, v := range tt.values {
				values[k] = []string{v}
			}
			req, err := FormSubmission(from, forms[0], values, tt.action)
			if err != nil {
				t.Fatal(err)
			}
			if req.Method != tt.method || req.URL != tt.url {
				t.Errorf("%s %s, want %s %s", req.Method, req.URL, tt.method, tt.url)
			}
			mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
			if mt != tt.ct {
				t.Errorf("Content-Type %q, want %q", mt, tt.ct)
			}
			for _, part := range strings.Split(tt.body, "|") {
				if !strings.Contains(string(req.Body), part) {
					t.Errorf("body %q lacks %q", req.Body, part)
				}
			}
			if req.Browser == nil || req.Browser.From != pageURL || req.Browser.Policy != "same-origin" || !req.Follow {
				t.Errorf("not sent as a navigation from the page: %+v", req.Browser)
			}
		})
	}
}
