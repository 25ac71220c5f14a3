package config

import (
	"reflect"
	"testing"
)

func TestParseEmail(t *testing.T) {
	c, err := Parse(readFixture(t, "valid-email.yaml"), "launchready.yaml", testOptions(t))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := &Email{
		Domains:         []string{"example.com", "Bücher.example", "mail.example.com."},
		Selectors:       []string{"s1", "2026-11.sub", "google"},
		Sender:          &EmailSender{From: "Example <no-reply@example.com>", ReturnPath: "bounce@bounces.example.com"},
		ProviderInclude: "_spf.mailprovider.example",
	}
	if !reflect.DeepEqual(c.Mail, want) {
		t.Errorf("email:\n got  %+v\n want %+v", c.Mail, want)
	}
	if got, wantD := c.MailDomains(), []string{"example.com", "xn--bcher-kva.example", "mail.example.com"}; !reflect.DeepEqual(got, wantD) {
		t.Errorf("MailDomains() = %q, want %q", got, wantD)
	}
}

func TestMailDomains(t *testing.T) {
	for _, tc := range []struct {
		name string
		mail *Email
		want []string
	}{
		{"no section", nil, nil},
		{"empty section", &Email{}, nil},
		{"domains win", &Email{Domains: []string{"A.example"}, Sender: &EmailSender{From: "x@b.example"}}, []string{"a.example"}},
		{"from's domain", &Email{Sender: &EmailSender{From: "Portal <No-Reply@Mail.Example.com>"}}, []string{"mail.example.com"}},
		{"return path alone is not a sending domain", &Email{Sender: &EmailSender{ReturnPath: "b@bounce.example"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Config{Mail: tc.mail}
			if got := c.MailDomains(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("MailDomains() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDomainProblem(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"example.com", true},
		{"xn--bcher-kva.example", true},
		{"bücher.example", true},
		{"example.com.", true},
		{"_spf.provider.example", true},
		{"", false},
		{"localhost", false},
		{"http://example.com", false},
		{"example.com:53", false},
		{"a@example.com", false},
		{"exa mple.com", false},
		{"a..example.com", false},
		{"-a.example.com", false},
	} {
		if got := DomainProblem(tc.in); (got == "") != tc.ok {
			t.Errorf("DomainProblem(%q) = %q, want ok=%v", tc.in, got, tc.ok)
		}
	}
}
