package page

import (
	"bytes"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestLoginForm(t *testing.T) {
	base, _ := url.Parse("https://portal.test/account/login?next=/x")
	tests := []struct {
		name   string
		html   string
		found  bool
		action string
		fields []string
	}{
		{"csrf hidden field and relative action",
			`<form action="/search"><input name=q></form><form method=post action="../session"><input type=hidden name=_csrf value=tok><input name=email><input type=password name=password><input type=submit name=go value=Go></form>`,
			true, "https://portal.test/session", []string{"_csrf=tok", "email=", "password="}},
		{"no action posts to the page itself", `<form method=POST><input type="PASSWORD" name=pw></form>`, true, base.String(), []string{"pw="}},
		{"no password field", `<form><input name=email></form>`, false, "", nil},
		{"unterminated tag is dropped, as browsers do", `<form><input type=password name=p`, false, "", nil},
	}
	for _, tt := range tests {
		f, ok := LoginForm([]byte(tt.html), base)
		if ok != tt.found {
			t.Errorf("%s: found = %v", tt.name, ok)
			continue
		}
		if !ok {
			continue
		}
		var fields []string
		for _, fl := range f.Fields {
			fields = append(fields, fl.Name+"="+fl.Value)
		}
		if f.Action != tt.action || !reflect.DeepEqual(fields, tt.fields) {
			t.Errorf("%s: action %q fields %v, want %q %v", tt.name, f.Action, fields, tt.action, tt.fields)
		}
	}
}

func TestSegments(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"html text without scripts", `<html><head><title>Billing</title><style>p{}</style></head><body><h1> Your   plan </h1><script>var secret="x"</script><p>Card ending 4242</p><p>ok</p><input value="alice@portal.test"><input type=hidden value=tok></body></html>`,
			[]string{"Billing", "Your plan", "Card ending 4242", "alice@portal.test"}},
		{"json values sorted", `{"name":"Alice Example","invoices":[{"id":1234,"total":"19.00"}],"ok":true}`,
			[]string{"1234", "19.00", "Alice Example"}},
		{"not json after all", `{broken`, []string{"{broken"}},
	}
	for _, tt := range tests {
		if got, err := Segments([]byte(tt.body)); err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSegmentsBounded(t *testing.T) {
	deep := strings.Repeat("<div>", 100000) + "x" + strings.Repeat("</div>", 100000)
	_, _ = Segments([]byte(deep))
	nested := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	_, _ = Segments([]byte(nested))
}

func FuzzPage(f *testing.F) {
	f.Add([]byte(`<form method=post><input type=password name=p></form>`))
	f.Add([]byte(`{"a":["b",{"c":1}]}`))
	f.Add([]byte(`<p>hello</p><script>x</script>`))
	f.Add([]byte(`<a href="/a#x">A</a><a href="javascript:alert(1)">j</a><script src="//cdn.example/x.js"></script>`))
	base, _ := url.Parse("https://portal.test/")
	f.Fuzz(func(t *testing.T, body []byte) {
		Forms(body, base)
		HasPasswordInput(body)
		links, _ := Links(body, base)
		for _, l := range links {
			if u, err := url.Parse(l.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Fragment != "" {
				t.Fatalf("link %q is not an absolute http(s) URL without fragment", l.URL)
			}
		}
		if scripts, _ := Scripts(body, base); len(scripts) > maxLinks {
			t.Fatal("scripts not bounded")
		}
		elems, _ := ScriptElements(body, base)
		for _, s := range elems {
			if s.Src == "" && (s.Line < 1 || !bytes.Contains(body, []byte(s.Text))) {
				t.Fatalf("inline script %+v not found in the page", s)
			}
		}
		// Normalised as strings.Fields would, without copying the text.
		want := strings.Join(strings.Fields(string(body)), " ")
		if len(want) > maxSegment {
			want = want[:maxSegment]
		}
		if got := normalise(body); got != want {
			t.Fatalf("normalise(%q) = %q, want %q", body, got, want)
		}
		segs, _ := Segments(body)
		for _, s := range segs {
			if len(s) < 3 || len(s) > maxSegment {
				t.Fatalf("segment %q out of bounds", s)
			}
		}
	})
}

func TestLinksAndScripts(t *testing.T) {
	base, _ := url.Parse("https://portal.test/dir/page")
	body := []byte(`<a href="/messages/1#top"> Message
	one </a><a href="rel">r</a><a href="mailto:x@y">m</a><a href="javascript:void(0)">j</a><a href="/messages/1">dup</a>` +
		`<script src="/static/app.js"></script><script>inline()</script><script src="https://cdn.example/lib.js"></script>`)
	links, err := Links(body, base)
	if err != nil {
		t.Fatal(err)
	}
	want := []Link{{"https://portal.test/messages/1", "Message one"}, {"https://portal.test/dir/rel", "r"}}
	if len(links) != len(want) || links[0] != want[0] || links[1] != want[1] {
		t.Errorf("Links = %+v, want %+v", links, want)
	}
	scripts, err := Scripts(body, base)
	if err != nil || len(scripts) != 2 || scripts[0] != "https://portal.test/static/app.js" || scripts[1] != "https://cdn.example/lib.js" {
		t.Errorf("Scripts = %v", scripts)
	}
}

func TestScriptElements(t *testing.T) {
	base, _ := url.Parse("https://portal.test/app/")
	body := []byte("<!doctype html>\n<html><head>\n" +
		`<link rel="modulepreload" href="/assets/vendor.js"><link rel="preload" as="style" href="/x.css">` + "\n" +
		`<script src="main.js" type="module"></script><script src="/app/main.js"></script>` + "\n" +
		"<script>\n  window.__NUXT__ = {config: {}};\n</script>\n" +
		`<script id="__NEXT_DATA__" type="application/json">{"props":{}}</script>` + "\n" +
		"<script>   </script><script src=\"javascript:alert(1)\"></script>\n</head></html>")
	got, err := ScriptElements(body, base)
	want := []Script{
		{Src: "https://portal.test/assets/vendor.js"},
		{Src: "https://portal.test/app/main.js", Type: "module"},
		{Text: "\n  window.__NUXT__ = {config: {}};\n", Line: 5},
		{ID: "__NEXT_DATA__", Type: "application/json", Text: `{"props":{}}`, Line: 8},
	}
	if err != nil || len(got) != len(want) {
		t.Fatalf("ScriptElements = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("script %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestFormData: the form data set is what a browser submits: hidden
// fields whatever their name, checked boxes only, the selected option, a
// textarea's text, no disabled control, and the submitter's name=value.
func TestFormData(t *testing.T) {
	base, _ := url.Parse("https://portal.test/verify?key=k1")
	tests := []struct {
		name    string
		html    string
		want    string // Data(Submitter()).Encode()
		buttons []Button
		id      string
	}{
		{"hidden fields and a named button",
			`<form method=post id=confirm name=c><input type=hidden name=key value=k1><input type=hidden name=next value=/home><button type=submit name=action value=confirm>Confirm <b>my</b> email</button></form>`,
			"action=confirm&key=k1&next=%2Fhome", []Button{{Name: "action", Value: "confirm", Text: "Confirm my email"}}, "confirm"},
		{"only checked boxes, on without a value; disabled skipped",
			`<form method=post><input type=checkbox name=remember><input type=checkbox name=terms checked><input type=radio name=plan value=a><input type=radio name=plan value=b checked><input name=x value=1 disabled><input type=submit value=Go></form>`,
			"plan=b&terms=on", []Button{{Value: "Go", Text: "Go"}}, ""},
		{"select shows the selected option, else the first; textarea its text",
			`<form><select name=country><option value=fr>France<option value=uk selected>UK</select><select name=lang><option>English</option><option>Welsh</option></select><textarea name=bio>Hello &amp; bye</textarea><button type=button name=js>JS</button><button type=reset>Reset</button></form>`,
			"bio=Hello+%26+bye&country=uk&lang=English", nil, ""},
		{"image button sends its click point",
			`<form method=post><input type=hidden name=t value=1><input type=image name=go alt="Send"></form>`,
			"go.x=0&go.y=0&t=1", []Button{{Name: "go", Text: "Send", Image: true}}, ""},
	}
	for _, tt := range tests {
		forms := Forms([]byte(tt.html), base)
		if len(forms) != 1 {
			t.Errorf("%s: %d forms", tt.name, len(forms))
			continue
		}
		f := forms[0]
		if got := f.Data(f.Submitter()).Encode(); got != tt.want {
			t.Errorf("%s: data %s, want %s", tt.name, got, tt.want)
		}
		if !reflect.DeepEqual(f.Buttons, tt.buttons) || f.ID != tt.id {
			t.Errorf("%s: buttons %+v id %q, want %+v %q", tt.name, f.Buttons, f.ID, tt.buttons, tt.id)
		}
	}
}
