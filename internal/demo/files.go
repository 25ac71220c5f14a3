package demo

import (
	"mime"
	"net/http"
	"strconv"
)

// fileRoutes adds the files page, the file list API and downloads.
func (a *app) fileRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /files", a.verifiedMember(a.filesPage, a.toLogin))
	mux.HandleFunc("GET /api/files", a.member(a.apiFiles, apiUnauthorized))
	mux.HandleFunc("GET /files/{id}/download", a.download)
}

// fileView is one file for the files page.
type fileView struct {
	ID, Name string
	Size     int
}

// fileJSON is a file as the API shows it.
type fileJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Size     int    `json:"size"`
	Download string `json:"download"`
}

// filesPage lists the member's own files, each linking to its download.
func (a *app) filesPage(w http.ResponseWriter, r *http.Request, au *authState) {
	list := make([]fileView, 0, len(au.m.files))
	for _, f := range au.m.files {
		list = append(list, fileView{ID: f.id, Name: f.name, Size: len(f.content)})
	}
	a.render(w, http.StatusOK, "files", view{Title: "Files", Member: a.memberView(au.m), Files: list})
}

// apiFiles lists the member's own files (they never change).
func (a *app) apiFiles(w http.ResponseWriter, r *http.Request, au *authState) {
	items := make([]fileJSON, 0, len(au.m.files))
	for _, f := range au.m.files {
		items = append(items, fileJSON{ID: f.id, Name: f.name, Size: len(f.content), Download: "/files/" + f.id + "/download"})
	}
	writeJSON(w, http.StatusOK, itemList[fileJSON]{Items: items})
}

// download sends a file as an attachment to its owner. Hardened, an
// anonymous visitor is redirected to the login page (whether or not the
// file exists) and another member gets the not-found page. With
// PublicFiles anyone, anonymous included, downloads any file.
func (a *app) download(w http.ResponseWriter, r *http.Request) {
	au := a.current(r)
	a.mu.Lock()
	owner, f, ok := a.fileLocked(r.PathValue("id"))
	a.mu.Unlock()
	switch {
	case ok && a.f.PublicFiles:
	case au == nil:
		a.toLogin(w, r)
		return
	case !ok || !mayAccess(au, owner, false):
		a.notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.name}))
	h.Set("Content-Length", strconv.Itoa(len(f.content)))
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(f.content)) // a client that went away needs no file
}
