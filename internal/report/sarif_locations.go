package report

import (
	"net/url"
	"slices"
	"strings"

	"github.com/launchready/launchready/internal/check"
)

// This file says where a SARIF result points. GitHub code scanning is the
// consumer that constrains it most: it rejects the whole upload when any
// artifact URI is absolute with a scheme other than its checkout's
// ("SARIF URI scheme "https" did not match the checkout URI scheme
// "file"", github/codeql-action#754) or is no valid URI reference, and it
// drops a result with no location at all (github/codeql-action#2459).

// sarifFingerprintKey names the secrets' fingerprints among a result's
// partialFingerprints, versioned as SARIF recommends ("name/vN").
const sarifFingerprintKey = "launchready/secret/v1"

// sarifLocations is one location per distinct evidence item, in evidence
// order, never empty: repository evidence is its file and line; HTTP
// evidence is the request's host and path as a relative URI (the full
// "METHOD URL" as a logical location); with neither, the target.
func sarifLocations(evs []check.Evidence, target string) []sarifLocation {
	var locs []sarifLocation
	seen := map[string]bool{}
	for _, e := range evs {
		// Several evidence items of one file or one URL (hops of one
		// redirect chain, several secrets in a file at different lines)
		// are one location each only when they differ.
		key := e.Request
		if e.Location != nil {
			key = locationText(e.Location)
		}
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		msg := &sarifText{Text: evidenceHead(e)}
		switch {
		case e.Location != nil && e.Location.File != "":
			phys := &sarifPhysical{ArtifactLocation: sarifArtifact{URI: sarifPathURI(e.Location.File)}}
			if e.Location.Line > 0 {
				phys.Region = &sarifRegion{StartLine: e.Location.Line}
			}
			locs = append(locs, sarifLocation{PhysicalLocation: phys, Message: msg})
		case e.Request != "":
			locs = append(locs, sarifLocation{
				PhysicalLocation: &sarifPhysical{ArtifactLocation: sarifArtifact{URI: sarifWebURI(requestURL(e.Request))}},
				LogicalLocations: []sarifLogical{{FullyQualifiedName: e.Request, Kind: "resource"}},
				Message:          msg,
			})
		}
	}
	if len(locs) == 0 {
		locs = append(locs, sarifLocation{PhysicalLocation: &sarifPhysical{
			ArtifactLocation: sarifArtifact{URI: sarifWebURI(target)}}})
	}
	return locs
}

// sarifWebURI is a web address as a relative URI reference: host and path
// without scheme, port kept, query and fragment left out (they can carry
// redacted tokens and vary between runs). Code scanning files it like a
// path it cannot find in the repository, which keeps the upload valid and
// still shows where the problem is. Text that is no URL (a repository
// path as target) is taken as a path; empty text is the repository root.
func sarifWebURI(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return sarifPathURI(raw)
	}
	return sarifPathURI(u.Host + u.Path)
}

// sarifPathURI is a file path as a URI reference: every character a path
// segment cannot hold is percent-encoded, and a first segment with a colon
// (a host with a port) is prefixed with "./" so it cannot read as a
// scheme. encoding/url does both.
func sarifPathURI(p string) string {
	p = strings.TrimSpace(p)
	if p == "" {
		return "."
	}
	return (&url.URL{Path: p}).String()
}

// sarifFingerprints is the secrets' fingerprints of a finding, sorted and
// joined: the finding's identity across runs, as the baseline comparison
// sees it. Nil when no evidence carries one.
func sarifFingerprints(evs []check.Evidence) map[string]string {
	var fps []string
	for _, e := range evs {
		if e.Fingerprint != "" && !slices.Contains(fps, e.Fingerprint) {
			fps = append(fps, e.Fingerprint)
		}
	}
	if len(fps) == 0 {
		return nil
	}
	slices.Sort(fps)
	return map[string]string{sarifFingerprintKey: strings.Join(fps, ",")}
}
