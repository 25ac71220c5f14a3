// Package firebase is a local fake of a Firebase project: one http.Handler
// that answers, on one loopback origin, the Auth, Realtime Database,
// Cloud Firestore and Cloud Storage REST APIs the way Firebase does, so
// that tests and the demo portal can exercise a scanner's Firebase probes
// offline.
//
// # Which documentation each part follows
//
// In production these APIs live on several hosts. Here each keeps the
// path it has on its own host, under a first segment naming that host,
// the layout of the Firebase Auth emulator; the scanner is configured
// with base URLs, as it must be for the Emulator Suite. Response shapes
// (paths, parameters, headers, status codes, error bodies, token formats)
// follow the public documentation; where it is silent they follow the
// Firebase Emulator Suite's source (firebase/firebase-tools), which
// mirrors production, or responses seen from production; what remains is
// listed under Guesses below.
//
//   - /identitytoolkit.googleapis.com/v1/…: the Identity Toolkit REST API
//     v1 as the "Firebase Auth REST API" guide describes it for web
//     clients holding only the API key (?key=): accounts:signInWithPassword
//     (VerifyPasswordResponse with idToken, refreshToken and expiresIn in
//     seconds as a string), accounts:lookup (GetAccountInfoResponse, the
//     password hash redacted, customAttributes as a JSON string) and
//     accounts:update (profile, email and password changes; an email or
//     password change revokes earlier refresh tokens). Errors have the
//     service's shape, {"error":{"code":400,"message":CODE,"errors":[{
//     "message":CODE,"domain":"global","reason":"invalid"}]}}. A wrong
//     password and an unknown email are both INVALID_LOGIN_CREDENTIALS,
//     as with email enumeration protection, on by default since 2023.
//     accounts:update refuses customAttributes from a client with
//     INSUFFICIENT_PERMISSION: the API reference says the field needs
//     OAuth credentials with the right permission (an admin), and the
//     emulator answers exactly this; INVALID_ID_TOKEN is only for a bad
//     token. A missing API key is 403 PERMISSION_DENIED and an unknown one
//     400 INVALID_ARGUMENT "API key not valid. Please pass a valid API
//     key." with an API_KEY_INVALID ErrorInfo, as Google's front end
//     answers; unknown JSON fields are 400 "Invalid JSON payload
//     received. Unknown name …".
//
//   - /securetoken.googleapis.com/v1/token: the Secure Token API's
//     refresh grant ("Exchange a refresh token for an ID token"), form
//     or JSON body; the answer carries access_token, expires_in (string),
//     token_type "Bearer", refresh_token (Firebase's do not rotate),
//     id_token, user_id and project_id, which is the project number, as
//     the API reference says. Errors are {"error":{"code":400,"message":
//     CODE,"status":"INVALID_ARGUMENT"}} with INVALID_REFRESH_TOKEN,
//     TOKEN_EXPIRED (revoked), MISSING_GRANT_TYPE, INVALID_GRANT_TYPE or
//     MISSING_REFRESH_TOKEN.
//
//   - ID tokens follow "Verify ID tokens": RS256 JWTs signed with a key
//     made at New, whose kid is in the header; claims iss
//     https://securetoken.google.com/<project>, aud <project>, auth_time,
//     user_id, sub, iat, exp, email, email_verified, name, firebase
//     {identities, sign_in_provider "password"} and the custom claims at
//     the top level. The public key is served where Google publishes it:
//     /www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com
//     (JWK set) and /www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com
//     (certificates by kid). Every data API checks signature, issuer,
//     audience and expiry; like Firebase's security rules it does not
//     check revocation.
//
//   - Any other path ending in ".json" is the Realtime Database REST API
//     ("Firebase Database REST API" reference and "Retrieving Data"
//     guide): GET, PUT, PATCH (multi-location), POST (push, answering
//     {"name":…}) and DELETE on /<path>.json, the root being /.json;
//     the ID token in ?auth=, ?access_token= or an Authorization bearer
//     header; shallow=true (children mapped to true; not mixable with
//     query parameters), print=pretty|silent, orderBy="$key" or
//     "$priority" with limitToFirst, limitToLast, startAt, endAt,
//     equalTo, startAfter and endBefore (orderBy="$value" or a child needs
//     an .indexOn these rules never have, and gets the database's "Index
//     not defined" error). A missing node is null. Errors have the
//     database's own body, {"error" : "…"}: 401 "Permission denied", 401
//     "Auth token is expired", 401 "Could not parse auth token.", 400
//     "orderBy must be defined when other query parameters are defined".
//     Keys follow the database's rules (no . $ # [ ] / or control
//     characters): a path segment with a dot cannot be a key, which is
//     why host names as first segments never collide with data.
//
//   - /firestore.googleapis.com/v1/projects/<p>/databases/(default)/documents/…:
//     the Cloud Firestore REST API v1 (projects.databases.documents):
//     list (pageSize, pageToken, mask.fieldPaths; {"documents":[…],
//     "nextPageToken":…}, or {} when empty), get, patch (updateMask.fieldPaths,
//     mask.fieldPaths, currentDocument.exists), delete and runQuery (one
//     collection, field filters alone or ANDed, a limit; no orderBy,
//     cursors or offset). Values are the API's typed Value objects
//     (stringValue, integerValue as a string, doubleValue, booleanValue,
//     nullValue, timestampValue, bytesValue, referenceValue,
//     geoPointValue, mapValue, arrayValue). The ID token goes in
//     Authorization: Bearer; none means unauthenticated. A denial is 403
//     {"error":{"code":403,"message":"Missing or insufficient
//     permissions.","status":"PERMISSION_DENIED"}}, a bad or expired token
//     401 UNAUTHENTICATED, a missing document 404 NOT_FOUND. Documents
//     come in ID order; the default and largest page is 300 (a guess: the
//     reference names no default).
//
//   - /firebasestorage.googleapis.com/v0/b/<bucket>/o…: the Cloud Storage
//     for Firebase REST API the web SDK uses: list (prefix, delimiter,
//     maxResults up to 1000, pageToken; {"prefixes":[…],"items":[{"name",
//     "bucket"}],"nextPageToken"}), object metadata (with downloadTokens),
//     download (alt=media; a download URL's ?token= bypasses the rules, as
//     in Firebase), simple upload (POST ?name=) and delete. The ID token
//     goes in Authorization: Firebase <token> (what the SDK sends) or
//     Bearer. A denial is 403 {"error":{"code":403,"message":"Permission
//     denied."}}, a missing object 404 "Not Found.", an unknown bucket
//     404, an unknown route 400 "Invalid HTTP method/URL pair.". A bad or
//     expired token is 401 "Invalid authentication credentials." (a
//     guess: the SDK maps 401 to storage/unauthenticated, but the body is
//     not documented).
//
// Google's APIs indent their JSON by two spaces unless prettyPrint=false,
// and so does this fake; the Realtime Database sends compact JSON.
//
// # The rules
//
// Each service has one of four rule sets (Rules), modelled on the ones
// the Firebase docs show ("Basic Security Rules", "Rules are not
// filters"): locked, open (test mode), authed (auth != null) and owner. A
// user owns a node, document or object whose path has its uid as a
// segment (users/{uid}, $uid) or whose owner field (RTDB.OwnerKey,
// Firestore.OwnerField, the object's "owner" custom metadata) is its uid.
// Rules are not filters: under owner rules reading a whole collection or
// RTDB parent is denied even when some children are the caller's, unless
// the path itself is the caller's; a Firestore query passes when it
// filters on owner == uid. Firestore.RoleFromProfile adds the
// self-escalation flaw: a caller whose users/{uid} document says role
// "admin" reads and writes everything, and users may write that document
// themselves.
//
// # Counting
//
// ItemsReturned counts stored items sent in response bodies, so tests can
// assert that a probe copies at most one. For the Realtime Database a
// record is a node holding leaf values: a user object is one (its nested
// objects included, though a list inside it adds its own records), a
// list of users counts each user, and a shallow listing, whose values are
// all true, is one. Echoes of written data are
// not counted; a Firestore patch answer is (it holds the stored
// document).
//
// # Guesses
//
// Documented nowhere we could read, so chosen to look like Google's
// other answers: the missing-API-key message (production's "Method
// doesn't allow unregistered callers…"; the emulator says "The request
// is missing a valid API key."); the 413 body; accounts:lookup answering
// INVALID_ID_TOKEN for an expired token (the documented code for a
// credential "no longer valid"); accounts:update issuing tokens when
// returnSecureToken is set, not only after a password or email change;
// the refresh token's shape ("AMf-vB" and URL-safe characters); the
// Realtime Database's messages for shallow mixed with a query, bad
// limits and non-string key ranges, and 405 for other methods; the
// Firestore messages for a bad page token, a negative page size, a
// mismatched document name and an unknown project or database, and its
// default page of 300; Storage's 401 body, its unknown-bucket message
// ("Not Found.  Could not access bucket …", from an old report) and 400
// for maxResults=0.
//
// # Bounds
//
// Request bodies are capped at 1 MiB (413), ID tokens at 8 KiB; the
// handler is safe for concurrent use and answers hostile input with 4xx.
package firebase
