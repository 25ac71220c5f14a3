package demo

import "net/http"

// objectRoutes adds the invoice and card APIs. Anonymous requests get 401.
func (a *app) objectRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/invoices", a.member(a.apiInvoices, apiUnauthorized))
	mux.HandleFunc("GET /api/invoices/{id}", a.member(a.apiInvoice, apiUnauthorized))
	mux.HandleFunc("GET /api/cards", a.member(a.apiCards, apiUnauthorized))
	mux.HandleFunc("GET /api/cards/{id}", a.member(a.apiCard, apiUnauthorized))
}

// itemList is the shape of every list the API answers.
type itemList[T any] struct {
	Items []T `json:"items"`
}

// invoiceJSON is an invoice as the API shows it; Member is the owner's
// email.
type invoiceJSON struct {
	ID     string `json:"id"`
	Number string `json:"number"`
	Amount string `json:"amount"`
	Date   string `json:"date"`
	Status string `json:"status"`
	Member string `json:"member"`
}

// json renders inv, owned by owner, for the API.
func (inv invoice) json(owner *member) invoiceJSON {
	return invoiceJSON{ID: inv.ID, Number: inv.Number, Amount: inv.Amount, Date: inv.Date, Status: inv.Status, Member: owner.email}
}

// cardJSON is a card as the API shows it; Owner is the owner's email.
type cardJSON struct {
	ID      string `json:"id"`
	Brand   string `json:"brand"`
	Last4   string `json:"last4"`
	Expires string `json:"expires"`
	Owner   string `json:"owner"`
}

// json renders c, owned by owner, for the API.
func (c card) json(owner *member) cardJSON {
	return cardJSON{ID: c.ID, Brand: c.Brand, Last4: c.Last4, Expires: c.Expires, Owner: owner.email}
}

// apiInvoices lists the member's own invoices (they never change).
func (a *app) apiInvoices(w http.ResponseWriter, r *http.Request, au *authState) {
	items := make([]invoiceJSON, 0, len(au.m.invoices))
	for _, inv := range au.m.invoices {
		items = append(items, inv.json(au.m))
	}
	writeJSON(w, http.StatusOK, itemList[invoiceJSON]{Items: items})
}

// apiInvoice answers one invoice to its owner; with InvoiceIDOR to any
// logged-in member. Others get 404, as for a missing one.
func (a *app) apiInvoice(w http.ResponseWriter, r *http.Request, au *authState) {
	a.mu.Lock()
	owner, inv, ok := a.invoiceLocked(r.PathValue("id"))
	a.mu.Unlock()
	if !ok || !mayAccess(au, owner, a.f.InvoiceIDOR) {
		apiNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, inv.json(owner))
}

// apiCards lists the member's own cards.
func (a *app) apiCards(w http.ResponseWriter, r *http.Request, au *authState) {
	items := make([]cardJSON, 0, len(au.m.cards))
	for _, c := range au.m.cards {
		items = append(items, c.json(au.m))
	}
	writeJSON(w, http.StatusOK, itemList[cardJSON]{Items: items})
}

// apiCard answers one card to its owner only, in every mode: the control
// group the authorization checks must find protected.
func (a *app) apiCard(w http.ResponseWriter, r *http.Request, au *authState) {
	a.mu.Lock()
	owner, c, ok := a.cardLocked(r.PathValue("id"))
	a.mu.Unlock()
	if !ok || !mayAccess(au, owner, false) {
		apiNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, c.json(owner))
}
