package demo

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
)

// view is what every page template receives.
type view struct {
	Title string
	// Member is the member the page is about; nil for anonymous pages.
	Member *memberView
	// Form state: tokens, submitted values, the refusal or notice shown.
	CSRF, DeleteCSRF, Next, Email, Name, Token, Error, Notice string
	Saved                                                     bool
	// Script loads /static/app.js (the dashboard only).
	Script bool
	// Message pages: a heading, a line, a detail and one link.
	Message, Detail, LinkHref, LinkText string
	// Members lists every member's email (the admin console).
	Members []string
	// Messages and Files are the member's own (the list pages); Item is
	// the message a message page shows.
	Messages []messageView
	Files    []fileView
	Item     *messageView
}

// memberView is a snapshot of one member's content for rendering.
type memberView struct {
	Display, Email, Role, Event string
	Groups                      []string
	Unread                      int
	Plan, Price, Renews         string
	// CardBrand and Card are the first card on file ("" for none).
	CardBrand, Card string
	Invoices        []invoice
}

// memberView snapshots m (its display name and role can change
// concurrently).
func (a *app) memberView(m *member) *memberView {
	a.mu.Lock()
	display, role := m.display, m.role
	a.mu.Unlock()
	v := &memberView{
		Display: display, Email: m.email, Role: role, Event: m.event, Groups: m.groups, Unread: m.unread,
		Plan: m.plan, Price: m.price, Renews: m.renews, Invoices: m.invoices,
	}
	if len(m.cards) > 0 {
		v.CardBrand, v.Card = m.cards[0].Brand, m.cards[0].Last4
	}
	return v
}

// render writes a page; member pages and forms are never cached.
func (a *app) render(w http.ResponseWriter, status int, name string, v view) {
	body, err := a.pages.render(name, v)
	if err != nil {
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if v.Member != nil || v.CSRF != "" || v.DeleteCSRF != "" || v.Token != "" {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body) // a client that went away needs no page
}

// renderMessage shows a one-message page: a title, the message, a detail
// line and one link.
func (a *app) renderMessage(w http.ResponseWriter, status int, title, msg, detail, href, text string) {
	a.render(w, status, "message", view{Title: title, Message: msg, Detail: detail, LinkHref: href, LinkText: text})
}

// pages are the parsed templates, one per page, each with the layout.
type pages struct {
	byName map[string]*template.Template
}

// newPages parses the layout with each page's content.
func newPages() (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}}
	for name, content := range pageContent() {
		t, err := template.New(name).Parse(layoutHTML)
		if err == nil {
			_, err = t.Parse(content)
		}
		if err != nil {
			return nil, fmt.Errorf("page template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

func (p *pages) render(name string, v view) ([]byte, error) {
	t, ok := p.byName[name]
	if !ok {
		return nil, fmt.Errorf("no page template %q", name)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// layoutHTML wraps every page. No inline script or style: the CSP allows
// only same-origin files.
const layoutHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Portal — members community</title>
<link rel="stylesheet" href="/static/app.css">
{{- if .Script}}
<script src="/static/app.js" defer></script>
{{- end}}
</head>
<body{{with .Member}} data-role="{{.Role}}"{{end}}>
<header class="top">
<a class="brand" href="/">Portal</a>
<nav>
{{- if .Member}}
<a href="/dashboard">Dashboard</a>
<a href="/messages">Messages</a>
<a href="/files">Files</a>
<a href="/billing">Billing</a>
<a href="/account">Account</a>
<form class="inline" method="post" action="/logout"><button type="submit">Log out</button></form>
{{- else}}
<a href="/">Home</a>
<a href="/signup">Sign up</a>
<a href="/login">Log in</a>
{{- end}}
</nav>
</header>
<main>
{{template "content" .}}
</main>
<footer>© 2026 Portal — members community · <a href="/">Home</a></footer>
</body>
</html>
`

// pageContent returns each page's "content" template.
func pageContent() map[string]string {
	return map[string]string{
		"home": `{{define "content"}}<section class="hero">
<h1>Welcome to Portal</h1>
<p>A members community for people running small software businesses: monthly meetups, hands-on workshops and a private forum.</p>
<p><a class="button" href="/login">Log in</a> to see your events, messages and billing, or <a href="/signup">join the community</a>.</p>
</section>
<section>
<h2>What members get</h2>
<ul>
<li>Monthly online meetups with open Q&amp;A</li>
<li>Workshops on pricing, support and launching</li>
<li>A private forum and member directory</li>
</ul>
</section>{{end}}`,
		"login": `{{define "content"}}<section class="narrow">
<h1>Log in</h1>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/login">
<input type="hidden" name="_csrf" value="{{.CSRF}}">
{{- if .Next}}
<input type="hidden" name="next" value="{{.Next}}">
{{- end}}
<label>Email <input type="email" name="email" value="{{.Email}}" autocomplete="username" required></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Log in</button>
</form>
<p class="muted"><a href="/forgot">Forgot your password?</a> · New here? <a href="/signup">Sign up</a></p>
</section>{{end}}`,
		"signup": `{{define "content"}}<section class="narrow">
<h1>Join Portal</h1>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/signup">
<input type="hidden" name="_csrf" value="{{.CSRF}}">
<label>Email <input type="email" name="email" value="{{.Email}}" autocomplete="email" required></label>
<label>Password <input type="password" name="password" autocomplete="new-password" required></label>
<label>Name <input type="text" name="name" value="{{.Name}}" maxlength="60" autocomplete="name"></label>
<button type="submit">Sign up</button>
</form>
<p class="muted">We will send you a link to verify your email. Already a member? <a href="/login">Log in</a></p>
</section>{{end}}`,
		"forgot": `{{define "content"}}<section class="narrow">
<h1>Reset your password</h1>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/forgot">
<input type="hidden" name="_csrf" value="{{.CSRF}}">
<label>Email <input type="email" name="email" value="{{.Email}}" autocomplete="username" required></label>
<button type="submit">Send me a reset link</button>
</form>
<p class="muted"><a href="/login">Back to log in</a></p>
</section>{{end}}`,
		"reset": `{{define "content"}}<section class="narrow">
<h1>Choose a new password</h1>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/reset">
<input type="hidden" name="_csrf" value="{{.CSRF}}">
<input type="hidden" name="token" value="{{.Token}}">
<label>New password <input type="password" name="password" autocomplete="new-password" required></label>
<button type="submit">Change my password</button>
</form>
</section>{{end}}`,
		"verify-pending": `{{define "content"}}<section class="narrow">
<h1>Verify your email</h1>
{{if .Notice}}<p class="notice">{{.Notice}}</p>{{end}}
<p>Check your inbox to verify {{.Email}}. The email has a link that confirms your address.</p>
<form method="post" action="/verify/resend">
<input type="hidden" name="_csrf" value="{{.CSRF}}">
<button type="submit">Resend the email</button>
</form>
</section>{{end}}`,
		"message": `{{define "content"}}<section class="narrow">
<h1>{{.Title}}</h1>
<p class="notice">{{.Message}}</p>
{{if .Detail}}<p>{{.Detail}}</p>{{end}}
{{if .LinkHref}}<p><a href="{{.LinkHref}}">{{.LinkText}}</a></p>{{end}}
</section>{{end}}`,
		"delete": `{{define "content"}}<section class="narrow">
<h1>Delete your account</h1>
<p>This deletes the account {{.Member.Email}}, its sessions and its data. It cannot be undone.</p>
<form method="post" action="/account/delete">
<input type="hidden" name="_csrf" value="{{.DeleteCSRF}}">
<button type="submit">Delete my account</button>
</form>
<p class="muted"><a href="/account">Keep my account</a></p>
</section>{{end}}`,
		"admin": `{{define "content"}}<h1>Admin console</h1>
<section class="card"><h2>Members</h2><p>{{len .Members}} accounts</p>
<ul>{{range .Members}}<li>{{.}}</li>{{end}}</ul></section>{{end}}`,
		"dashboard": `{{define "content"}}{{with .Member}}<h1>Welcome back, {{.Display}}</h1>
<p class="muted">Signed in as {{.Email}}</p>
<section class="card"><h2>Your next event</h2><p>Next event you RSVP'd: {{.Event}}</p></section>
<section class="card"><h2>Your groups</h2><ul>{{range .Groups}}<li>{{.}}</li>{{end}}</ul></section>
<section class="card"><h2>Messages</h2><p>{{.Unread}} unread messages from other members. <a href="/messages">Read your messages</a></p></section>
<section class="card"><h2>Files</h2><p>Your membership certificate and tickets: <a href="/files">your files</a></p></section>
<section class="card"><h2>Billing</h2><p>{{.Plan}}, {{.Price}}: <a href="/billing">billing and invoices</a></p></section>
{{- if eq .Role "admin"}}
<section class="card"><h2>Administration</h2><p id="admin-stats">Community figures load here.</p><p><a href="/admin">Admin console</a></p></section>
{{- end}}{{end}}{{end}}`,
		"messages": `{{define "content"}}<h1>Messages</h1>
<p class="muted">Messages for {{.Member.Email}}</p>
{{if .Messages}}<ul class="list">{{range .Messages}}<li><a href="/messages/{{.ID}}">{{.Subject}}</a> <span class="muted">from {{.From}}, {{.Sent}}</span></li>{{end}}</ul>
{{else}}<p>No messages yet.</p>{{end}}{{end}}`,
		"message-item": `{{define "content"}}{{with .Item}}<h1>{{.Subject}}</h1>
<p class="muted">From {{.From}}, {{.Sent}}</p>
<section class="card"><p class="body">{{.Body}}</p></section>{{end}}
<p><a href="/messages">All messages</a></p>{{end}}`,
		"files": `{{define "content"}}<h1>Files</h1>
<p class="muted">Files of {{.Member.Email}}</p>
{{if .Files}}<ul class="list">{{range .Files}}<li><a href="/files/{{.ID}}/download">{{.Name}}</a> <span class="muted">{{.Size}} bytes</span></li>{{end}}</ul>
{{else}}<p>No files yet.</p>{{end}}{{end}}`,
		"billing": `{{define "content"}}{{with .Member}}<h1>Billing</h1>
<p class="muted">Billing contact: {{.Display}} ({{.Email}})</p>
<section class="card"><h2>Plan</h2><p>{{.Plan}}, {{.Price}}, renews on {{.Renews}}</p></section>
<section class="card"><h2>Payment method</h2><p>{{if .Card}}{{.CardBrand}} ending in {{.Card}}{{else}}No payment method on file{{end}}</p></section>
<section class="card"><h2>Invoices</h2>
<table>
<thead><tr><th>Invoice</th><th>Date</th><th>Amount</th><th>Status</th></tr></thead>
<tbody>{{range .Invoices}}<tr><td>{{.Number}}</td><td>{{.Date}}</td><td>{{.Amount}}</td><td>{{.Status}}</td></tr>{{end}}</tbody>
</table>
</section>{{end}}{{end}}`,
		"account": `{{define "content"}}<h1>Your profile</h1>
<p class="muted">Signed in as {{.Member.Email}}</p>
{{if .Saved}}<p class="notice">Profile saved.</p>{{end}}
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/account">
<input type="hidden" name="_csrf" value="{{.CSRF}}">
<label>Display name <input type="text" name="display_name" value="{{.Member.Display}}" maxlength="60" required></label>
<label>Email <input type="email" name="email" value="{{.Member.Email}}" readonly></label>
<button type="submit">Save changes</button>
</form>
<p class="muted">To change the email address of your membership, write to the community team.</p>
<section class="card"><h2>Delete your account</h2>
<form method="post" action="/account/delete">
<input type="hidden" name="_csrf" value="{{.DeleteCSRF}}">
<button type="submit">Delete my account</button>
</form></section>{{end}}`,
		"notfound": `{{define "content"}}<h1>Page not found</h1>
<p>There is nothing at this address. <a href="/">Go to the home page</a>.</p>{{end}}`,
	}
}

// stylesheetCSS is /static/app.css.
const stylesheetCSS = `body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1d2330;background:#f6f7fb}
header.top{display:flex;justify-content:space-between;align-items:center;padding:.75rem 1.5rem;background:#24324f}
header.top a,header.top button{color:#fff;margin-left:1rem;text-decoration:none;background:none;border:0;font:inherit;cursor:pointer}
header.top a.brand{margin-left:0;font-weight:700}
form.inline{display:inline}
main{max-width:46rem;margin:2rem auto;padding:0 1.5rem}
.narrow{max-width:24rem}
label{display:block;margin:.75rem 0}
label input{display:block;width:100%;padding:.4rem;box-sizing:border-box}
button,.button{background:#3157d5;color:#fff;border:0;padding:.5rem 1rem;border-radius:4px;text-decoration:none}
.card{background:#fff;border-radius:6px;padding:1rem 1.25rem;margin:1rem 0;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.muted{color:#5b6478}
.error{color:#a3121f}
.notice{color:#16703a}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e2e5ee}
ul.list li{margin:.4rem 0}
p.body{white-space:pre-wrap}
footer{text-align:center;color:#5b6478;padding:2rem}
`
