package authz

import "testing"

func TestIsAction(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"/logout", true}, {"/auth/log-out", true}, {"Log out", true}, {"/sign_out", true}, {"Sign out", true},
		{"/account/delete", true}, {"/messages/12/deleted", true}, {"/api/admin/purge-cache", true},
		{"/subscription/cancel", true}, {"cancellation", true}, {"/users/1/ban", true}, {"/unsubscribe?list=2", true},
		{"/banking", false}, {"/banner", false}, {"/dashboard", false}, {"/dropbox-files", false}, {"/messages/12", false},
		{"/blog/login-tips", false}, {"/api/admin/users", false}, {"/seedlings", false}, {"Invoices", false},
	} {
		if got := IsAction(tt.in); got != tt.want {
			t.Errorf("IsAction(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
