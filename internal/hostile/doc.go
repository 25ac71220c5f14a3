// Package hostile holds the hostile-target suite: local servers that
// misbehave in every way a portal, a proxy in front of it or its DNS can,
// each scanned end to end by the launchready binary (a plain build, so its
// peak memory is the product's). The suite asserts that every scan ends
// within its bounds, never panics, never reports a PASS on what it could
// not judge, and never reaches the trap outside the scope that every
// scenario points at. The code is all in the tests; `go test -v` prints
// the table (scenario, exit code, wall time, peak RSS, check counts).
package hostile
