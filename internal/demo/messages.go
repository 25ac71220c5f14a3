package demo

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// messageRoutes adds the message pages and the message API. Pages send
// anonymous visitors to the login page; the API answers them 401.
func (a *app) messageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /messages", a.verifiedMember(a.messagesPage, a.toLogin))
	mux.HandleFunc("GET /messages/{id}", a.verifiedMember(a.messagePage, a.toLogin))
	mux.HandleFunc("GET /api/messages", a.member(a.apiMessages, apiUnauthorized))
	mux.HandleFunc("POST /api/messages", a.member(a.apiCreateMessage, apiUnauthorized))
	mux.HandleFunc("GET /api/messages/{id}", a.member(a.apiMessage, apiUnauthorized))
	mux.HandleFunc("PATCH /api/messages/{id}", a.member(a.apiUpdateMessage, apiUnauthorized))
	mux.HandleFunc("DELETE /api/messages/{id}", a.member(a.apiDeleteMessage, apiUnauthorized))
}

// messageView is a snapshot of one message for a page.
type messageView struct {
	ID, From, Subject, Body, Sent string
}

// messageJSON is a message as the API shows it; Member is the owner's
// email.
type messageJSON struct {
	ID      string `json:"id"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	From    string `json:"from"`
	Sent    string `json:"sent"`
	Member  string `json:"member"`
}

// viewLocked snapshots msg for a page.
func (msg *message) viewLocked() messageView {
	return messageView{ID: msg.id, From: msg.from, Subject: msg.subject, Body: msg.body, Sent: msg.sent.Format("2 January 2006 15:04 MST")}
}

// jsonLocked snapshots msg, owned by owner, for the API.
func (msg *message) jsonLocked(owner *member) messageJSON {
	return messageJSON{ID: msg.id, Subject: msg.subject, Body: msg.body, From: msg.from,
		Sent: msg.sent.Format(time.RFC3339), Member: owner.email}
}

// messagesPage lists the member's own messages, each linking to its page.
func (a *app) messagesPage(w http.ResponseWriter, r *http.Request, au *authState) {
	a.mu.Lock()
	list := make([]messageView, 0, len(au.m.messages))
	for _, msg := range au.m.messages {
		list = append(list, msg.viewLocked())
	}
	a.mu.Unlock()
	a.render(w, http.StatusOK, "messages", view{Title: "Messages", Member: a.memberView(au.m), Messages: list})
}

// messagePage shows one message to its owner; with MessageIDOR to any
// logged-in member. Others get the not-found page, as for a missing one.
func (a *app) messagePage(w http.ResponseWriter, r *http.Request, au *authState) {
	a.mu.Lock()
	owner, msg := a.messageLocked(r.PathValue("id"))
	var item messageView
	if msg != nil {
		item = msg.viewLocked()
	}
	a.mu.Unlock()
	if msg == nil || !mayAccess(au, owner, a.f.MessageIDOR) {
		a.notFound(w, r)
		return
	}
	a.render(w, http.StatusOK, "message-item", view{Title: item.Subject, Member: a.memberView(au.m), Item: &item})
}

// apiMessages lists the member's own messages.
func (a *app) apiMessages(w http.ResponseWriter, r *http.Request, au *authState) {
	a.mu.Lock()
	items := make([]messageJSON, 0, len(au.m.messages))
	for _, msg := range au.m.messages {
		items = append(items, msg.jsonLocked(au.m))
	}
	a.mu.Unlock()
	writeJSON(w, http.StatusOK, itemList[messageJSON]{Items: items})
}

// apiMessage answers one message to its owner only, in every mode.
func (a *app) apiMessage(w http.ResponseWriter, r *http.Request, au *authState) {
	a.mu.Lock()
	owner, msg := a.messageLocked(r.PathValue("id"))
	var body messageJSON
	if msg != nil {
		body = msg.jsonLocked(owner)
	}
	a.mu.Unlock()
	if msg == nil || !mayAccess(au, owner, false) {
		apiNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// messageInput is the JSON a create or update sends; nil fields are not
// sent.
type messageInput struct {
	Subject *string `json:"subject"`
	Body    *string `json:"body"`
}

// problem says why the input is refused, or "". A create needs both
// fields; an update at least one.
func (in messageInput) problem(create bool) string {
	switch {
	case create && (in.Subject == nil || in.Body == nil):
		return "send subject and body"
	case !create && in.Subject == nil && in.Body == nil:
		return "send subject, body or both"
	case in.Subject != nil && !textOK(*in.Subject, maxSubject):
		return "subject must be 1 to 200 characters"
	case in.Body != nil && !textOK(*in.Body, maxMessageBody):
		return "body must be 1 to 4096 characters"
	}
	return ""
}

// textOK accepts 1 to max characters of valid UTF-8 that are not all
// white space.
func textOK(s string, max int) bool {
	return strings.TrimSpace(s) != "" && utf8.ValidString(s) && utf8.RuneCountInString(s) <= max
}

// applyLocked writes the sent fields into msg.
func (in messageInput) applyLocked(msg *message) {
	if in.Subject != nil {
		msg.subject = *in.Subject
	}
	if in.Body != nil {
		msg.body = *in.Body
	}
}

// apiCreateMessage files a note in the member's own inbox and answers it
// with 201 and its Location. The JSON content type keeps cross-site forms
// out (they cannot send it without a CORS preflight).
func (a *app) apiCreateMessage(w http.ResponseWriter, r *http.Request, au *authState) {
	var in messageInput
	if !readJSON(w, r, &in) {
		return
	}
	if problem := in.problem(true); problem != "" {
		apiError(w, http.StatusBadRequest, problem)
		return
	}
	a.mu.Lock()
	if len(au.m.messages) >= maxMessages {
		a.mu.Unlock()
		apiError(w, http.StatusBadRequest, "message limit reached (200): delete some first")
		return
	}
	msg := newMessage(au.m.display, *in.Subject, *in.Body)
	au.m.messages = append(au.m.messages, msg)
	body := msg.jsonLocked(au.m)
	a.mu.Unlock()
	w.Header().Set("Location", "/api/messages/"+msg.id)
	writeJSON(w, http.StatusCreated, body)
}

// apiUpdateMessage changes a message's subject or body: the owner's only,
// or anyone's with MessageWriteIDOR.
func (a *app) apiUpdateMessage(w http.ResponseWriter, r *http.Request, au *authState) {
	var in messageInput
	if !readJSON(w, r, &in) {
		return
	}
	if problem := in.problem(false); problem != "" {
		apiError(w, http.StatusBadRequest, problem)
		return
	}
	a.mu.Lock()
	owner, msg := a.messageLocked(r.PathValue("id"))
	ok := msg != nil && mayAccess(au, owner, a.f.MessageWriteIDOR)
	var body messageJSON
	if ok {
		in.applyLocked(msg)
		body = msg.jsonLocked(owner)
	}
	a.mu.Unlock()
	if !ok {
		apiNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// apiDeleteMessage deletes a message: the owner's only, or anyone's with
// MessageWriteIDOR. The method itself needs a CORS preflight cross-site.
func (a *app) apiDeleteMessage(w http.ResponseWriter, r *http.Request, au *authState) {
	a.mu.Lock()
	owner, msg := a.messageLocked(r.PathValue("id"))
	ok := msg != nil && mayAccess(au, owner, a.f.MessageWriteIDOR)
	if ok {
		removeMessageLocked(owner, msg)
	}
	a.mu.Unlock()
	if !ok {
		apiNotFound(w)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
