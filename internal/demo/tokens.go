package demo

import "time"

// Mail token kinds and lifetimes.
const (
	tokenVerify = "verify"
	tokenReset  = "reset"
	// verifyLifetime bounds an email verification link.
	verifyLifetime = 24 * time.Hour
	// resetLifetime bounds a hardened password-reset link.
	resetLifetime = 30 * time.Minute
	// reusableResetLifetime is the ReusableResetLink flaw's.
	reusableResetLifetime = 7 * 24 * time.Hour
	// maxTokens bounds the table of outstanding mail tokens.
	maxTokens = 10_000
)

// mailToken is an outstanding link sent by mail.
type mailToken struct {
	kind     string
	memberID string
	expires  time.Time
}

// newMailToken stores a new random token of kind for m.
func (a *app) newMailToken(kind string, m *member, life time.Duration) string {
	tok := randomHex(32)
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.tokens) >= maxTokens {
		a.pruneTokensLocked(now)
	}
	a.tokens[tok] = mailToken{kind: kind, memberID: m.id, expires: now.Add(life)}
	return tok
}

// tokenMember returns the member of a live token of kind, or nil.
func (a *app) tokenMember(kind, tok string) *member {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tokenMemberLocked(kind, tok)
}

func (a *app) tokenMemberLocked(kind, tok string) *member {
	t, ok := a.tokens[tok]
	if !ok || t.kind != kind || time.Now().After(t.expires) {
		return nil
	}
	return a.memberByIDLocked(t.memberID)
}

// dropTokensLocked deletes every token of kind held by m.
func (a *app) dropTokensLocked(kind string, m *member) {
	for tok, t := range a.tokens {
		if t.kind == kind && t.memberID == m.id {
			delete(a.tokens, tok)
		}
	}
}

// pruneTokensLocked drops expired tokens, then the ones closest to expiry
// until the table has room.
func (a *app) pruneTokensLocked(now time.Time) {
	for tok, t := range a.tokens {
		if now.After(t.expires) {
			delete(a.tokens, tok)
		}
	}
	for len(a.tokens) >= maxTokens {
		oldest, at := "", time.Time{}
		for tok, t := range a.tokens {
			if oldest == "" || t.expires.Before(at) {
				oldest, at = tok, t.expires
			}
		}
		delete(a.tokens, oldest)
	}
}
