// Package observatory scores a response's security headers with the MDN HTTP
// Observatory's published scoring algorithm, for four of its tests:
//
//   - content-security-policy (Content-Security-Policy, plus a <meta
//     http-equiv> policy when the caller passes one to EvaluateWithMeta)
//   - x-content-type-options
//   - x-frame-options (X-Frame-Options, replaced by CSP frame-ancestors)
//   - referrer-policy
//
// Only these four are scored here. The Observatory's other tests (cookies,
// CORS, redirection, HSTS, subresource integrity, CORP) belong to other
// launchready checks, so a Score is not the Observatory's overall grade for a
// site: it is 100 plus the penalties of these four tests, with their bonuses
// added only when that is already 90 or more, as the Observatory does. With all
// four bonuses it can reach 120; it is never below 0.
//
// The check built on this package (EDGE-004 in package edge) applies these
// thresholds: PASS at 90 or more, WARN from 70 to 89, FAIL below 70.
//
// Sources. Result names, modifiers and the decision logic follow the
// mdn/mdn-http-observatory repository: src/grader/charts.js (SCORE_TABLE,
// MINIMUM_SCORE_FOR_EXTRA_CREDIT), src/scanner/index.js (how modifiers add
// up), src/analyzer/cspParser.js and src/analyzer/tests/csp.js,
// x-content-type-options.js, x-frame-options.js and referrer-policy.js, read
// together with their tests under test/. The code here is our own. Where it
// departs from the Observatory on purpose, the comment at that place says so.
//
// Pages are scored as if fetched over HTTPS: the Observatory only flags http:
// and ftp: sources in a CSP for HTTPS sites, and a page served over plain HTTP
// fails other checks anyway.
package observatory
