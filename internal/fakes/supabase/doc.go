// Package supabase is a local fake of a Supabase project: one http.Handler
// that answers, on one origin, the Auth, Data (PostgREST) and Storage APIs
// the way a hosted project does, so that tests and the demo portal can
// exercise a scanner's Supabase probes offline on loopback.
//
// # Which documentation each part follows
//
// Every response shape (path, header, status code, error body, token
// format) follows the public documentation or the public source of the
// real service; where the two disagree the source wins, and the choice is
// written next to the code.
//
//   - The API gateway (every path): Supabase's "Understanding API keys"
//     guide (supabase.com/docs/guides/api/api-keys). A request
//     needs the project's key in the apikey header (or ?apikey=); without
//     one the gateway answers 401 {"message":"No API key found in
//     request","hint":…}, with an unknown one 401 {"message":"Invalid API
//     key"}. OPTIONS preflights are answered without a key, and every
//     answer carries Access-Control-Allow-Origin: *.
//
//   - /auth/v1/…: Supabase Auth (GoTrue): the endpoint list of the
//     supabase/auth README (github.com/supabase/auth, "Endpoints") and the
//     Auth guides (supabase.com/docs/guides/auth), with the server's
//     internal/api and internal/tokens sources for shapes the docs leave
//     out. POST /auth/v1/token?grant_type=password and
//     ?grant_type=refresh_token (the token response with access_token,
//     token_type "bearer", expires_in, expires_at, a 12-character
//     refresh_token and the user object), GET and PUT /auth/v1/user, and
//     POST /auth/v1/logout?scope=global|local|others. Errors have GoTrue's
//     shape {"code":<status>,"error_code":…,"msg":…}, or {"code":…,
//     "message":…} when the request sends X-Supabase-Api-Version:
//     2024-01-01 as supabase-js does. Refresh tokens rotate as GoTrue's do:
//     the token that produced the session's current one may be replayed
//     (the current one is handed back, for clients that lost an answer);
//     any older one is refused with refresh_token_already_used and revokes
//     the whole session (a reuse interval of 0, the strictest project
//     setting). A refused access token on the user endpoints is 403
//     bad_jwt, as GoTrue answers today, not 401.
//
//   - /rest/v1/…: PostgREST 12 as Supabase runs it (Supabase's "Data
//     API" guide, supabase.com/docs/guides/api), following the PostgREST
//     12 docs: "Tables and Views" (postgrest.org/en/v12/references/api/
//     tables_views.html), "Pagination and Count" (…/api/
//     pagination_count.html: HEAD, Prefer: count, Content-Range, 206),
//     "Prefer Header" (…/api/preferences.html), "Functions as RPC"
//     (…/api/functions.html), "Resource Embedding" (…/api/
//     resource_embedding.html), "OpenAPI" (…/api/openapi.html) and
//     "Errors" (postgrest.org/en/v12/references/errors.html). Reads and
//     HEAD with select=, filters (eq, neq, gt, gte, lt, lte, like, ilike,
//     is, in, isdistinct and not.), order, limit, offset and the
//     Range/Range-Unit headers; Prefer: count=exact|planned|estimated adds
//     the total to Content-Range, and a partial page is 206, a page past
//     the end 416 PGRST103, as the docs show; Prefer: return=… on writes;
//     the Accept type application/vnd.pgrst.object+json (406 PGRST116 when
//     not exactly one row). Errors have PostgREST's shape {"code",
//     "details","hint","message"} with its status mapping (42501 is 401
//     for anon and 403 for a logged-in role, 42P01/PGRST205 404, …). JWT
//     errors are 401 PGRST301 with a WWW-Authenticate header. As on
//     Supabase: at most 1000 rows per read (db-max-rows), aggregates off
//     (PGRST123), and pg-safeupdate (PATCH and DELETE without a filter are
//     400 21000 "UPDATE requires a WHERE clause"). What the fake does not
//     implement (resource embedding aside, which has no relationships to
//     find: PGRST200) is refused with 400 PGRST127 "Feature not
//     implemented": and/or trees, full-text and range operators, the
//     any/all modifiers, JSON paths, PUT upserts.
//     GET /rest/v1/ is the Swagger 2.0 document PostgREST serves; with
//     Options.HideRoot it answers as hosted projects do since the
//     "Removing access to OpenAPI spec via the anon key" change (Supabase
//     changelog, 2026): 401 {"message":"Access to schema is
//     forbidden","hint":…} for the anon key, the document for the service
//     key. The changelog gives the body, not the status: 401 is our guess.
//
//   - /storage/v1/…: the Supabase Storage API: the Storage guides
//     (supabase.com/docs/guides/storage, "Access Control" under
//     …/storage/security/access-control) and the supabase/storage server's
//     routes and error codes (github.com/supabase/storage, src/http/routes,
//     src/internal/errors). GET /storage/v1/bucket, GET /storage/v1/bucket/{id} and
//     POST /storage/v1/object/list/{bucket} with {"prefix","limit",
//     "offset","sortBy","search"}, uploads (POST /storage/v1/object/
//     {bucket}/{path}, answering {"Key","Id"}) and removal (DELETE
//     /storage/v1/object/{bucket} with {"prefixes":[…]}, answering the
//     removed objects) under the same owner policies as listing; errors {"statusCode":"<code>","error",
//     "message"} sent with HTTP 400, as Storage renders them. Buckets live
//     in storage.buckets, which has row-level security and no policies on
//     a new project: only the service role lists them; everyone else gets
//     200 [] (public buckets included: "public" governs downloads, not
//     listing) and "Bucket not found" for GET /bucket/{id}. Listing
//     objects runs storage.search, which checks no bucket, under the
//     caller's policies: an unknown bucket lists as 200 [], like a bucket
//     the caller may not list.
//
// # The model behind the policies
//
// Supabase's "Row Level Security" guide
// (supabase.com/docs/guides/database/postgres/row-level-security).
// Each Table is a table in schema public, granted to anon and
// authenticated as Supabase does by default. With RLS off anyone holding
// the anon key may read and write every row. With RLS on, the policies are
// the usual owner-only ones, "auth.uid() = <owner column>" for select,
// insert (WITH CHECK), update (USING and WITH CHECK) and delete; anon
// matches nothing. With Options.MetadataRoleTrusted the select policy also
// passes when the JWT's user_metadata.role is "admin": the policy reads the
// token's claims, so a user who sets that through PUT /auth/v1/user sees
// every row once their token is refreshed. The service role bypasses RLS.
// The owner column defaults to auth.uid() when an insert omits it.
//
// A table's columns are fixed at New: "id", then Table.Columns, then the
// keys of the seed rows, then the owner column. Their types are inferred
// from the seed values (bigint, double precision, uuid, text, boolean,
// jsonb), and filters and writes cast to them as Postgres would (22P02 on
// a bad value). Numbers are kept as json.Number.
//
// # Bounds
//
// Request bodies are capped at 1 MiB (413), reads at 1000 rows, tables at
// 10000 rows, sessions at 100 per user and remembered refresh tokens at 16
// per session; the handler is safe for concurrent use.
package supabase
