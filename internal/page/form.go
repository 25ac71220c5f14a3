package page

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"

	"github.com/launchready/launchready/internal/safetext"
)

// Form is an HTML form with its fields' default values.
type Form struct {
	// Action is absolute (resolved against the page URL).
	Action string
	Method string
	// ID and Name are the form's id and name attributes.
	ID, Name string
	// Enctype is the form's enctype, lower-cased ("" for the default,
	// application/x-www-form-urlencoded).
	Enctype string
	// Fields holds every named input, select and textarea in order.
	Fields []Field
	// Buttons are the form's submit buttons in order: the first is the
	// one a browser presses when the member hits Enter.
	Buttons []Button
	// HasPassword is true when the form has a password input.
	HasPassword bool
}

// Field is one named form control: Value is an input's value attribute, a
// textarea's text, or the option a select shows selected.
type Field struct {
	Name, Type, Value string
	// Checked is a checkbox's or radio button's checked attribute;
	// Disabled says the control is never submitted.
	Checked, Disabled bool
}

// Forms returns the forms of an HTML document, actions resolved against
// base: the first maxForms, with at most maxFields fields each.
func Forms(body []byte, base *url.URL) []Form {
	var forms []Form
	eachForm(body, base, func(f Form) bool {
		forms = append(forms, f)
		return len(forms) < maxForms
	})
	return forms
}

// LoginForm returns the first form holding a password input, if any.
func LoginForm(body []byte, base *url.URL) (Form, bool) {
	var found Form
	ok := false
	eachForm(body, base, func(f Form) bool {
		if f.HasPassword {
			found, ok = f, true
		}
		return !ok
	})
	return found, ok
}

// HasPasswordInput reports whether an HTML body shows a password field in
// a form: the sign that a page is a login form rather than member content.
// It reads the whole document (up to MaxTokens).
func HasPasswordInput(body []byte) bool {
	_, ok := LoginForm(body, &url.URL{})
	return ok
}

// eachForm calls fn with each form of the document, in order, until fn
// returns false. As in the HTML tree, a <form> inside an open form is
// ignored and controls outside every form belong to none.
func eachForm(body []byte, base *url.URL, fn func(Form) bool) {
	r := &formReader{base: base, sel: -1}
	_ = tokens(body, func(z *html.Tokenizer, tt html.TokenType) bool {
		switch tt {
		case html.TextToken:
			r.addText(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			r.start(z, tt)
		case html.EndTagToken:
			if f, done := r.end(z); done {
				return fn(f)
			}
		}
		return true
	})
	if r.open != nil {
		// An unclosed form still holds what was read of it, as browsers
		// close it at the end of the document.
		fn(*r.open)
	}
}

// maxText bounds the text kept of one button, option or textarea.
const maxText = 1024

// formReader is eachForm's state between tokens.
type formReader struct {
	base      *url.URL
	open      *Form
	templates int
	// text finds where the text of the button, option or textarea being
	// read goes (up to maxText bytes): found afresh for each piece, as the
	// slices it lives in may grow meanwhile; textEnd is the end tag that
	// ends it.
	text    func() *string
	textEnd string
	// sel is the index in open.Fields of the select whose options are
	// being read (-1 for none); options counts them and chosen says one
	// was marked selected.
	sel     int
	options int
	chosen  bool
}

func (r *formReader) addText(b []byte) {
	if r.text == nil || r.open == nil {
		return
	}
	if t := r.text(); len(*t) < maxText {
		*t += string(b[:safetext.RuneFloor(b, maxText-len(*t))])
	}
}

func (r *formReader) start(z *html.Tokenizer, tt html.TokenType) {
	name := tagName(z, "template", "form", "input", "textarea", "select", "option", "button")
	if r.textEnd == "option" {
		// An option's text ends at the next tag of any kind.
		r.text, r.textEnd = nil, ""
	}
	switch {
	case name == "template":
		// A template's content is inert: not part of the page.
		if tt == html.StartTagToken {
			r.templates++
		}
	case r.templates > 0:
	case name == "form":
		if r.open == nil {
			r.open = newForm(attrs(z), r.base)
		}
	case r.open == nil || name == "":
	case name == "option":
		r.option(attrs(z))
	default:
		r.control(name, attrs(z), tt)
	}
}

// end handles an end tag; done is set, with the form, when a form ends.
func (r *formReader) end(z *html.Tokenizer) (Form, bool) {
	name := tagName(z, "template", "form", "select", "button", "textarea", "option")
	if name != "" && (name == r.textEnd || r.textEnd == "option" || name == "form") {
		r.text, r.textEnd = nil, ""
	}
	switch name {
	case "template":
		r.templates = max(r.templates-1, 0)
	case "select":
		r.sel = -1
	case "form":
		if r.open != nil && r.templates == 0 {
			f := *r.open
			r.open, r.sel = nil, -1
			return f, true
		}
	}
	return Form{}, false
}

// control adds an input, textarea, select or button to the open form.
func (r *formReader) control(tag string, a map[string]string, tt html.TokenType) {
	f := r.open
	switch typ := strings.ToLower(a["type"]); {
	case tag == "button":
		if typ != "" && typ != "submit" {
			return // a script's button, or reset: submits nothing
		}
		if len(f.Buttons) < maxFields {
			f.Buttons = append(f.Buttons, Button{Name: a["name"], Value: a["value"]})
			if i := len(f.Buttons) - 1; tt == html.StartTagToken {
				r.text, r.textEnd = func() *string { return &r.open.Buttons[i].Text }, "button"
			}
		}
	case tag == "input" && (typ == "submit" || typ == "image"):
		if len(f.Buttons) < maxFields {
			text := a["value"]
			if typ == "image" {
				text = a["alt"]
			}
			f.Buttons = append(f.Buttons, Button{Name: a["name"], Value: a["value"], Text: text, Image: typ == "image"})
		}
	default:
		addField(f, tag, a)
		if i := len(f.Fields) - 1; i >= 0 && f.Fields[i].Name == a["name"] && a["name"] != "" {
			switch tag {
			case "textarea":
				r.text, r.textEnd = func() *string { return &r.open.Fields[i].Value }, "textarea"
			case "select":
				r.sel, r.options, r.chosen = i, 0, false
			}
		}
	}
}

// option reads one option of the open select: the select's value is the
// last option marked selected, else the first; an option without a value
// attribute stands for its text.
func (r *formReader) option(a map[string]string) {
	if r.sel < 0 || r.sel >= len(r.open.Fields) {
		return
	}
	r.options++
	_, selected := a["selected"]
	if !selected && (r.chosen || r.options > 1) {
		return
	}
	r.chosen = r.chosen || selected
	i := r.sel
	if v, ok := a["value"]; ok {
		r.open.Fields[i].Value = v
		return
	}
	r.open.Fields[i].Value = ""
	r.text, r.textEnd = func() *string { return &r.open.Fields[i].Value }, "option"
}

func newForm(a map[string]string, base *url.URL) *Form {
	f := &Form{Method: strings.ToUpper(a["method"]), Action: base.String(), ID: a["id"], Name: a["name"],
		Enctype: strings.ToLower(strings.TrimSpace(a["enctype"]))}
	if f.Method == "" {
		f.Method = "GET"
	}
	if act := a["action"]; act != "" {
		if u, err := base.Parse(act); err == nil {
			f.Action = u.String()
		}
	}
	return f
}

func addField(f *Form, tag string, a map[string]string) {
	name := a["name"]
	_, disabled := a["disabled"]
	if tag == "input" {
		typ := strings.ToLower(a["type"])
		if typ == "password" {
			f.HasPassword = true
		}
		_, checked := a["checked"]
		if name != "" && typ != "submit" && typ != "button" && typ != "image" && typ != "reset" && len(f.Fields) < maxFields {
			f.Fields = append(f.Fields, Field{Name: name, Type: typ, Value: a["value"], Checked: checked, Disabled: disabled})
		}
		return
	}
	if name != "" && len(f.Fields) < maxFields {
		f.Fields = append(f.Fields, Field{Name: name, Type: tag, Disabled: disabled})
	}
}

// Button is a submit button of a form: a <button> (of type submit, the
// default) or an <input type=submit> or type=image.
type Button struct {
	// Name and Value are submitted with the form when Name is set and the
	// form is submitted through this button.
	Name, Value string
	// Text is what the button says: its text, or an input's value (an
	// image's alt).
	Text string
	// Image marks an <input type=image>, submitted as the click point
	// (name.x, name.y).
	Image bool
}

// Submitter returns the button a browser submits the form through when
// the member clicks the first button or presses Enter: its first submit
// button, nil when it has none.
func (f Form) Submitter() *Button {
	if len(f.Buttons) == 0 {
		return nil
	}
	return &f.Buttons[0]
}

// Data returns the form data set a browser submits through submitter
// (nil: none): every named, enabled control with its value, checkboxes
// and radio buttons only when checked (as "on" when they have no value),
// and the submitter's name and value when it has a name.
func (f Form) Data(submitter *Button) url.Values {
	out := url.Values{}
	for _, fl := range f.Fields {
		if fl.Disabled {
			continue
		}
		switch strings.ToLower(fl.Type) {
		case "checkbox", "radio":
			if !fl.Checked {
				continue
			}
			v := fl.Value
			if v == "" {
				v = "on"
			}
			out.Add(fl.Name, v)
		default:
			out.Add(fl.Name, fl.Value)
		}
	}
	if b := submitter; b != nil && b.Name != "" {
		if b.Image {
			out.Add(b.Name+".x", "0")
			out.Add(b.Name+".y", "0")
		} else {
			out.Add(b.Name, b.Value)
		}
	}
	return out
}
