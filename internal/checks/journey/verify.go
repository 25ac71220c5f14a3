package journey

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/page"
)

// FollowVerification opens a verification link in a new browser, as a
// member clicking it in the mail does. Many frameworks verify nothing on
// that GET (mail scanners prefetch links): the page asks for one more
// click, a form that confirms. When the page holds one, it is submitted,
// once, in the same browser; a form that says it deletes, cancels,
// unsubscribes, removes, deactivates or opts out never is. Whether the
// address is verified is proved by the login that follows, not here.
func FollowVerification(ctx context.Context, env *check.Env, link string) (opened, confirmed *client.Response, err error) {
	anon := env.Sessions.Anonymous()
	opened, err = anon.Do(ctx, &client.Request{URL: link, Follow: true, Browser: &client.Browser{}})
	if err != nil {
		return nil, nil, err
	}
	if opened.StatusCode >= 400 {
		return opened, nil, fmt.Errorf("the verification link answered %d", opened.StatusCode)
	}
	lu, _ := url.Parse(link)
	form, ok := ConfirmForm(page.Forms(opened.Body, opened.URL), opened.URL, lu)
	if !ok {
		return opened, nil, nil
	}
	confirmed, err = anon.Submit(ctx, opened, form, nil, "")
	if err != nil {
		return opened, confirmed, fmt.Errorf("the verification page's confirm form: %w", err)
	}
	if confirmed.StatusCode >= 400 {
		return opened, confirmed, fmt.Errorf("the verification page's confirm form answered %d", confirmed.StatusCode)
	}
	return opened, confirmed, nil
}

// minTokenLen is the shortest link part taken for the verification token:
// shorter ones (ids, "1") match hidden fields by chance.
const minTokenLen = 8

// ConfirmForm picks the form of a verification page that confirms the
// address: a POST form that needs nothing typed and says nothing
// destructive, showing one of the signs of a confirmation, best first:
// the link's token in a hidden field, an action that is the page's own
// URL or the link, a single submit button. ok is false when no form
// qualifies.
func ConfirmForm(forms []page.Form, pageURL, link *url.URL) (page.Form, bool) {
	tokens := linkTokens(pageURL, link)
	best, rank := page.Form{}, 0
	for _, f := range forms {
		if f.Method != http.MethodPost || f.HasPassword || needsInput(f) || destructive(f) {
			continue
		}
		r := 0
		switch {
		case carriesToken(f, tokens):
			r = 3
		case sameURL(f.Action, pageURL) || sameURL(f.Action, link):
			r = 2
		case len(f.Buttons) == 1:
			r = 1
		}
		if r > rank {
			best, rank = f, r
		}
	}
	return best, rank > 0
}

// needsInput reports whether a form asks the member for something: an
// empty text box (a form asking for the address resends the mail, it does
// not confirm it) or a choice (a select, radio buttons: a language
// switcher, a survey).
func needsInput(f page.Form) bool {
	for _, fl := range f.Fields {
		switch strings.ToLower(fl.Type) {
		case "hidden", "checkbox":
		case "select", "radio":
			return true
		default:
			if !fl.Disabled && fl.Value == "" {
				return true
			}
		}
	}
	return false
}

// linkTokens are the parts of the link (and of the page it led to) that
// may be its token: long query values and path segments.
func linkTokens(urls ...*url.URL) []string {
	var out []string
	for _, u := range urls {
		if u == nil {
			continue
		}
		for _, vs := range u.Query() {
			for _, v := range vs {
				if len(v) >= minTokenLen {
					out = append(out, v)
				}
			}
		}
		for _, seg := range strings.Split(u.Path, "/") {
			if len(seg) >= minTokenLen {
				out = append(out, seg)
			}
		}
	}
	return out
}

func carriesToken(f page.Form, tokens []string) bool {
	for _, fl := range f.Fields {
		if !strings.EqualFold(fl.Type, "hidden") || len(fl.Value) < minTokenLen {
			continue
		}
		for _, t := range tokens {
			if strings.Contains(fl.Value, t) || strings.Contains(t, fl.Value) {
				return true
			}
		}
	}
	return false
}

// sameURL reports whether action is u, fragment aside.
func sameURL(action string, u *url.URL) bool {
	a, err := url.Parse(action)
	if err != nil || u == nil {
		return false
	}
	b := *u
	a.Fragment, a.RawFragment, b.Fragment, b.RawFragment = "", "", "", ""
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host) &&
		a.EscapedPath() == b.EscapedPath() && a.Query().Encode() == b.Query().Encode()
}

// destructiveWords say a form undoes something: squeezed (lower case,
// letters and digits only) so that "Opt-Out", "opt out", "opt_out" and
// "OptOut" all read "optout". English first, then the words of the
// languages portals most often speak.
var destructiveWords = []string{
	"delete", "cancel", "unsubscribe", "unsub", "remove", "removal", "deactivat", "optout",
	"destroy", "erase", "closeaccount", "disable", "revoke", "decline", "reject", "notme", "wasntme",
	"logout", "logoff", "signout", "resend", "deregister", "unregister", "unenrol", "unenroll",
	"löschen", "loeschen", "abmelden", "abbestellen", "kündig", "kuendig", "deaktivier", "widerruf",
	"supprim", "annul", "désinscri", "desinscri", "désabonn", "desabonn", "désactiv", "desactiv",
	"eliminar", "borrar", "cancelar", "darsedebaja", "anular", "cancella", "elimina", "disiscri",
	"verwijder", "opzeggen", "uitschrijven", "afmelden",
}

// destructive reports whether anything a form shows says it deletes,
// cancels, unsubscribes, removes, deactivates or opts out: its action,
// id, name, buttons, or hidden fields (a method override to DELETE, an
// action=unsubscribe).
func destructive(f page.Form) bool {
	says := []string{f.ID, f.Name, f.Action}
	if u, err := url.PathUnescape(f.Action); err == nil {
		says = append(says, u)
	}
	if u, err := url.QueryUnescape(f.Action); err == nil {
		says = append(says, u)
	}
	for _, b := range f.Buttons {
		says = append(says, b.Name, b.Value, b.Text)
	}
	for _, fl := range f.Fields {
		if strings.EqualFold(fl.Type, "hidden") {
			says = append(says, fl.Name, fl.Value)
		}
	}
	for _, s := range says {
		sq := squeeze(s)
		for _, w := range destructiveWords {
			if strings.Contains(sq, w) {
				return true
			}
		}
	}
	return false
}

// squeeze lower-cases s and keeps only its letters and digits.
func squeeze(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
