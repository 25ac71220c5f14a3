package journey

import (
	"net/url"
	"testing"

	"github.com/launchready/launchready/internal/page"
)

// TestConfirmForm: the form of a verification page that confirms the
// address is picked; a form that deletes, cancels, unsubscribes, removes,
// deactivates or opts out, however spelled, never is, nor one that asks
// for input.
func TestConfirmForm(t *testing.T) {
	link, _ := url.Parse("https://portal.test/accounts/confirm-email/MjQ:1tXyZa:k3yT0ken/")
	const csrf = `<input type=hidden name=csrfmiddlewaretoken value=c5rfc5rfc5rf>`
	tests := []struct {
		name string
		html string
		want string // the chosen form's id, "" for none
	}{
		{"allauth: the token in the page URL, a one-button form posting to it",
			`<form method=post id=ok>` + csrf + `<button type=submit>Confirm</button></form>`, "ok"},
		{"the token in a hidden field, posted elsewhere",
			`<form method=post id=ok action=/verify>` + csrf + `<input type=hidden name=key value="MjQ:1tXyZa:k3yT0ken"><button>Yes, that's me</button><button>Continue</button></form>`, "ok"},
		{"the token beats a lone button",
			`<form method=post id=other action=/welcome>` + csrf + `<button>Continue</button></form><form method=post id=ok action=/v>` + csrf + `<input type=hidden name=t value="k3yT0ken"><button>Confirm</button></form>`, "ok"},
		{"logout beside the confirm form is never chosen",
			`<form method=post action=/logout id=lo>` + csrf + `<button>Log out</button></form>`, ""},
		{"only unsubscribe and cancel", `<form method=post action=/mail/unsubscribe>` + csrf + `<button>Unsubscribe</button></form>` +
			`<form method=post action=/account/cancel>` + csrf + `<button>Cancel my account</button></form>`, ""},
		{"Opt-Out on the button", `<form method=post id=x>` + csrf + `<input type=submit value="Opt-Out of all e-mails"></form>`, ""},
		{"opt out in the id", `<form method=post id=opt_out>` + csrf + `<button>Continue</button></form>`, ""},
		{"UN-SUBSCRIBE in the name", `<form method=post name=UN-SUBSCRIBE>` + csrf + `<button>OK</button></form>`, ""},
		{"de-activate in the action", `<form method=post action="/account/de-activate">` + csrf + `<button>OK</button></form>`, ""},
		{"remove, percent-encoded in the action", `<form method=post action="/account/%72emove">` + csrf + `<button>OK</button></form>`, ""},
		{"a method override to DELETE", `<form method=post>` + csrf + `<input type=hidden name=_method value=delete><button>Confirm</button></form>`, ""},
		{"a button named delete", `<form method=post>` + csrf + `<button name=delete value=1>Confirm</button></form>`, ""},
		{"Not me beside Confirm", `<form method=post>` + csrf + `<button>Confirm</button><button>Not me</button></form>`, ""},
		{"in another language", `<form method=post>` + csrf + `<button>Newsletter abbestellen</button></form>`, ""},
		{"a GET form", `<form id=x><button>Confirm</button></form>`, ""},
		{"a resend form asking for the address", `<form method=post action=/verify/again>` + csrf + `<input type=email name=email><button>Send again</button></form>`, ""},
		{"a language switcher", `<form method=post action=/i18n/setlang>` + csrf + `<select name=language><option value=en>English</select><button>Go</button></form>`, ""},
		{"a password form", `<form method=post>` + csrf + `<input type=password name=p value=x><button>Confirm</button></form>`, ""},
	}
	for _, tt := range tests {
		forms := page.Forms([]byte(tt.html), link)
		f, ok := ConfirmForm(forms, link, link)
		got := ""
		if ok {
			got = f.ID
			if got == "" {
				got = "(no id)"
			}
		}
		if got != tt.want {
			t.Errorf("%s: chose %q, want %q", tt.name, got, tt.want)
		}
	}
}
