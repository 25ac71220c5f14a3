// Package platform recognises, in a portal's frontend code, the
// backend-as-a-service projects the browser talks to directly (Supabase,
// Firebase, Clerk) and what it uses there: the tables, functions,
// collections, database paths and storage buckets its code names. It only
// reads text the scan already fetched; it sends nothing.
package platform

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
