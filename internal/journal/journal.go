// Package journal records what a scan is about to create on the target
// (accounts, canary objects, changes to a member's own data) before it
// creates it, with what is needed to take it back: the account's email and
// password, or the request that deletes or reverts the object. The scan
// marks each entry created, removed or void as it goes and removes the
// file after a clean finish; after a killed run, `launchready cleanup`
// reads it and finishes the job.
//
// The file is JSON lines, one file per run: a header line naming the
// schema (launchready-journal/v1), then one record per line, each written
// with a single append and fsynced before the create it announces is
// sent. It holds passwords, so it is created 0600 in a 0700 folder, and
// the scan adds every password it holds to the redaction set.
package journal

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Schema names the format of the header line.
const Schema = "launchready-journal/v1"

// Ops of the records after the header.
const (
	// OpPlan announces an account or an object about to be created.
	OpPlan = "plan"
	// OpCreated says the planned thing exists; for an object it may carry
	// the undo request learnt from the create's answer (the new ID).
	OpCreated = "created"
	// OpRemoved says it was deleted (or the change reverted).
	OpRemoved = "removed"
	// OpVoid says it was never created: the portal refused it.
	OpVoid = "void"
)

// Header is the journal's first line.
type Header struct {
	Schema string `json:"schema"`
	// Run identifies the scan (also the file name).
	Run string `json:"run"`
	// Tool is the launchready version that wrote it.
	Tool string `json:"tool,omitempty"`
	// Target is target.url of the scan.
	Target string `json:"target"`
	// Config is the absolute path of the config the scan loaded: cleanup
	// loads it again to log in the same way.
	Config string `json:"config,omitempty"`
	// Started is when the scan started.
	Started time.Time `json:"started"`
}

// Account is an account the scan is about to sign up.
type Account struct {
	// Name is the account's session name in the scan (fresh, fresh-pw0).
	Name string `json:"name"`
	// Email is the tagged address it signs up with.
	Email string `json:"email"`
	// Password is what it signs up with: cleanup logs in with it to
	// delete the account. A credential: redacted from every output.
	Password string `json:"password"`
}

// Object is an object the scan is about to create, or a change it is about
// to make to a member's own data, and how to take it back.
type Object struct {
	// What names it, as listed when it is left behind.
	What string `json:"what"`
	// As is the account whose session takes it back ("a").
	As string `json:"as"`
	// Platform, when set ("supabase", "firebase"), says the session is
	// that platform's for the account rather than the portal's.
	Platform string `json:"platform,omitempty"`
	// Undo is the request that takes it back, when known; a create whose
	// answer names the new object gives it with OpCreated.
	Undo *Request `json:"undo,omitempty"`
}

// Request is a request that takes something back, replayable by another
// process: the session's credentials are not in it, only where they go.
type Request struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	// Header holds the request's own headers (Content-Type, Prefer),
	// never a credential.
	Header http.Header `json:"header,omitempty"`
	Body   string      `json:"body,omitempty"`
	// TokenIn says where the session's bare token goes when not in the
	// session's usual header: "query:NAME" (Firebase Realtime Database's
	// auth=) or "json:NAME" (a field of the JSON body, Firebase's
	// idToken). Empty: the session sends it as always.
	TokenIn string `json:"token_in,omitempty"`
}

// Record is one line after the header.
type Record struct {
	Op string `json:"op"`
	// ID numbers the planned thing; marks name the plan they update.
	ID int `json:"id"`
	// At is when the record was written.
	At time.Time `json:"at"`
	// Account or Object (exactly one) comes with OpPlan.
	Account *Account `json:"account,omitempty"`
	Object  *Object  `json:"object,omitempty"`
	// Undo may come with OpCreated for an object.
	Undo *Request `json:"undo,omitempty"`
	// Note says why, for OpVoid.
	Note string `json:"note,omitempty"`
}

// credentialHeaders never belong in a journal: the session that replays the
// request supplies its own.
var credentialHeaders = []string{"Authorization", "Cookie", "Apikey", "X-Api-Key", "Proxy-Authorization"}

// Validate checks a request before it is written or replayed.
func (r *Request) Validate() error {
	switch r.Method {
	case http.MethodDelete, http.MethodPut, http.MethodPatch, http.MethodPost:
	default:
		return fmt.Errorf("undo method %q: want DELETE, PUT, PATCH or POST", r.Method)
	}
	u, err := url.Parse(r.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("undo URL %q is not an absolute http(s) URL", r.URL)
	}
	for _, h := range credentialHeaders {
		if r.Header.Get(h) != "" {
			return fmt.Errorf("undo request carries a %s header: the journal holds no session credential", h)
		}
	}
	if r.TokenIn != "" {
		kind, name, ok := strings.Cut(r.TokenIn, ":")
		if !ok || (kind != "query" && kind != "json") || name == "" {
			return fmt.Errorf("undo token_in %q: want query:NAME or json:NAME", r.TokenIn)
		}
	}
	return nil
}

// Strip returns the headers safe to journal: h without credentials.
func Strip(h http.Header) http.Header {
	if len(h) == 0 {
		return nil
	}
	out := h.Clone()
	for _, k := range credentialHeaders {
		out.Del(k)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// validate checks a record's shape (not its place in the sequence).
func (r *Record) validate() error {
	if r.ID <= 0 {
		return fmt.Errorf("record id %d: want a positive number", r.ID)
	}
	switch r.Op {
	case OpPlan:
		if (r.Account == nil) == (r.Object == nil) {
			return fmt.Errorf("plan %d: want exactly one of account and object", r.ID)
		}
		if a := r.Account; a != nil && (a.Name == "" || a.Email == "") {
			return fmt.Errorf("plan %d: an account needs a name and an email", r.ID)
		}
		if o := r.Object; o != nil {
			if o.What == "" || o.As == "" {
				return fmt.Errorf("plan %d: an object needs what and as", r.ID)
			}
			if o.Undo != nil {
				if err := o.Undo.Validate(); err != nil {
					return fmt.Errorf("plan %d: %w", r.ID, err)
				}
			}
		}
	case OpCreated, OpRemoved, OpVoid:
		if r.Account != nil || r.Object != nil {
			return fmt.Errorf("%s %d: only a plan carries an account or an object", r.Op, r.ID)
		}
	default:
		return fmt.Errorf("record %d: unknown op %q", r.ID, r.Op)
	}
	if r.Undo != nil {
		if r.Op != OpCreated {
			return fmt.Errorf("%s %d: only created carries an undo request", r.Op, r.ID)
		}
		if err := r.Undo.Validate(); err != nil {
			return fmt.Errorf("created %d: %w", r.ID, err)
		}
	}
	return nil
}
