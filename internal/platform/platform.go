// Package platform recognises, in a portal's frontend code, the
// backend-as-a-service projects the browser talks to directly (Supabase,
// Firebase, Clerk) and what it uses there: the tables, functions,
// collections, database paths and storage buckets its code names. It only
// reads text the scan already fetched; it sends nothing.
package platform

import "github.com/launchready/launchready/internal/safetext"

// Source is one text to search: a script, an inline script, a page, a
// runtime configuration.
type Source struct {
	// Label names where it came from in findings ("/assets/app.js").
	Label string
	// Body is the text.
	Body string
}

// Use is one name the code uses and the first place it was seen.
type Use struct {
	Name  string
	Where string
}

// Recognizer reads sources one at a time and keeps what it recognises,
// never the texts: a crawl hands it each body as it reads it. Its results
// are those of Supabase, Firebase and Clerk over the same sources in the
// same order.
type Recognizer struct {
	sb                *collector
	sbBudget          int
	fb                FirebaseUse
	fbSeen, clerkSeen map[string]bool
	clerk             []ClerkInstance
}

// NewRecognizer returns a Recognizer that has read nothing.
func NewRecognizer() *Recognizer {
	return &Recognizer{sb: newCollector(), sbBudget: MaxScanTotal, fbSeen: map[string]bool{}, clerkSeen: map[string]bool{}}
}

// Add reads one source.
func (r *Recognizer) Add(s Source) {
	if r.sbBudget > 0 {
		body := safetext.Prefix(s.Body, min(MaxScanPerSource, r.sbBudget))
		r.sbBudget -= len(body)
		r.sb.scan(s.Label, body)
	}
	fbSource(&r.fb, r.fbSeen, s)
	r.clerk = clerkSource(r.clerk, r.clerkSeen, s)
}

// Clerk returns the Clerk instances recognised so far.
func (r *Recognizer) Clerk() []ClerkInstance { return r.clerk }

// Supabase returns the Supabase use recognised so far.
func (r *Recognizer) Supabase() SupabaseUse { return r.sb.use }

// Firebase returns the Firebase use recognised so far.
func (r *Recognizer) Firebase() FirebaseUse { return r.fb }
