// Package target is the only way a check reaches the portal: a scoped,
// rate-capped, size-capped HTTP client with its own resolver and roots,
// shared logged-in sessions, and the redaction every output path uses.
package target

// Client is the scoped HTTP client.
type Client struct{}

// Sessions logs each account in once and shares the session.
type Sessions struct{}
