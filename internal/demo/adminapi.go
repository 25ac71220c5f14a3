package demo

import "net/http"

// adminRoutes adds the admin console's JSON API. Anonymous requests get
// 401; members who are not administrators 403, unless AdminAPIUnguarded.
func (a *app) adminRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/admin/users", a.member(a.adminAPI(a.apiAdminUsers), apiUnauthorized))
	mux.HandleFunc("GET /api/admin/stats", a.member(a.adminAPI(a.apiAdminStats), apiUnauthorized))
}

// isAdmin is the server-side admin check of the console and its API: the
// account's stored role (which ProfileMassAssignment lets a member change)
// or, with SensitiveClaims, the token's role and is_admin claims.
func (a *app) isAdmin(au *authState) bool {
	a.mu.Lock()
	role := au.m.role
	a.mu.Unlock()
	return role == "admin" || (a.f.SensitiveClaims && au.claims.admin())
}

// adminAPI runs h for administrators, answering others 403; with
// AdminAPIUnguarded every logged-in member passes.
func (a *app) adminAPI(h memberHandler) memberHandler {
	return func(w http.ResponseWriter, r *http.Request, au *authState) {
		if !a.f.AdminAPIUnguarded && !a.isAdmin(au) {
			apiError(w, http.StatusForbidden, "forbidden: administrators only")
			return
		}
		h(w, r, au)
	}
}

// adminUserJSON is one account in the admin's member list.
type adminUserJSON struct {
	ID       string `json:"id"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Verified bool   `json:"verified"`
}

// apiAdminUsers lists every account.
func (a *app) apiAdminUsers(w http.ResponseWriter, r *http.Request, _ *authState) {
	a.mu.Lock()
	items := make([]adminUserJSON, len(a.members))
	for i, m := range a.members {
		items[i] = adminUserJSON{ID: m.id, Email: m.email, Name: m.display, Role: m.role, Verified: m.verified}
	}
	a.mu.Unlock()
	writeJSON(w, http.StatusOK, itemList[adminUserJSON]{Items: items})
}

// adminStatsJSON are the community's figures and its newest member.
type adminStatsJSON struct {
	Members      int    `json:"members"`
	Verified     int    `json:"verified"`
	Admins       int    `json:"admins"`
	Messages     int    `json:"messages"`
	Files        int    `json:"files"`
	Sessions     int    `json:"sessions"`
	NewestMember string `json:"newest_member"`
}

// apiAdminStats counts members, messages, files and live sessions, and
// names the newest member.
func (a *app) apiAdminStats(w http.ResponseWriter, r *http.Request, _ *authState) {
	a.mu.Lock()
	s := adminStatsJSON{Members: len(a.members), Sessions: len(a.sessions)}
	for _, m := range a.members {
		s.NewestMember = m.email
		if m.verified {
			s.Verified++
		}
		if m.role == "admin" {
			s.Admins++
		}
		s.Messages += len(m.messages)
		s.Files += len(m.files)
	}
	a.mu.Unlock()
	writeJSON(w, http.StatusOK, s)
}
