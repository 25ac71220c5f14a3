package baas

import (
	"context"
	"fmt"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/jwtx"
	"github.com/launchready/launchready/internal/platform"
)

// FirebaseData is AUTHZ-008: the Realtime Database, Firestore and Storage
// rules of the portal's Firebase project refuse member b and anonymous
// visitors what belongs to member a.
type FirebaseData struct{}

var (
	_ check.Check  = FirebaseData{}
	_ check.Reader = FirebaseData{}
)

// Bounds on what one run probes: paths from the frontend per service,
// and evidence entries.
const (
	maxFirebasePaths    = 8
	maxFirebaseEvidence = 6
)

// Meta returns the static description.
func (FirebaseData) Meta() check.Meta {
	return check.Meta{
		ID: "AUTHZ-008", Area: check.AreaAuthz, Severity: check.Blocker,
		Impact: check.ImpactDataExposure,
		Title:  "Firebase: Realtime Database, Firestore and Storage rules refuse other members and anonymous visitors",
		Pass: "With auth.firebase configured, anonymous visitors and member b read: the Realtime Database root and each path the " +
			"frontend names (?shallow=true: keys only), each Firestore collection the frontend names (pageSize=1), and the " +
			"Storage bucket's listing (maxResults=1) and each folder the frontend names, with member a's uid in place of a " +
			"dynamic segment. With --intrusive, member a first writes one canary node, one canary document (owner, ownerId, " +
			"uid and userId set to its uid) and one canary object in places it owns, and b and anonymous read each by name; " +
			"the canaries are deleted afterwards. Every read is refused, or returns only the reader's own data. No probe " +
			"copies more than one item.",
		Why: "A Firebase app's browser talks to the databases directly: the rules are the only authorization there is. Rules " +
			"left in test mode (allow read: if true) or loosened to any signed-in user (auth != null) hand every record to " +
			"whoever opens the browser console, and the API key and project ID needed are in the page's source.",
		Breaks: "Anyone, or any member, downloads every member's profile, orders and files with the REST API in a few " +
			"requests, whatever the portal's screens show.",
		Fix: "Write rules that compare the owner with the caller, for every path the app uses, and deny the rest:\n" +
			"  Firestore: match /orders/{id} { allow read, update, delete: if request.auth != null && request.auth.uid == resource.data.owner;\n" +
			"             allow create: if request.auth != null && request.resource.data.owner == request.auth.uid; }\n" +
			"             match /users/{uid}/{doc=**} { allow read, write: if request.auth != null && request.auth.uid == uid; }\n" +
			"  Realtime Database: {\"rules\": {\".read\": false, \".write\": false,\n" +
			"             \"users\": {\"$uid\": {\".read\": \"auth != null && auth.uid === $uid\", \".write\": \"auth != null && auth.uid === $uid\"}}}}\n" +
			"  Storage: match /users/{uid}/{file=**} { allow read, write: if request.auth != null && request.auth.uid == uid; }\n" +
			"Rules are not filters: a list query must itself be limited to the caller's data (where(\"owner\", \"==\", uid)). " +
			"Test them with the Firebase Emulator Suite's rules unit tests before deploying.",
		Refs:   []string{"ASVS v5.0.0-8.2.2", "ASVS v5.0.0-8.2.1", "API1:2023", "CWE-639", "CWE-862"},
		Needs:  []string{"accounts.a", "accounts.b"},
		Budget: check.Budget{Objects: 3},
	}
}

// Reads names the project it probes: without it the check is N/A, or
// SKIP when the frontend shows Firebase.
func (FirebaseData) Reads() []string { return []string{"auth.firebase"} }

// Run probes the configured project's three services.
func (FirebaseData) Run(ctx context.Context, env *check.Env) check.Result {
	fe := readFrontend(ctx, env)
	use, notes, crawlErr := fe.firebase, fe.notes, fe.err
	fb := env.Config.Auth.Firebase
	if fb == nil {
		return noFirebaseProject(use, fe.texts, notes, crawlErr)
	}
	p, err := newFirebaseProbe(ctx, env, fb, use)
	if err != nil {
		return check.Errorf("%v", err)
	}
	if crawlErr != nil {
		p.notes = append(p.notes, "the frontend could not be read, so only the database root and bucket were probed: "+
			env.Client.Redactor().Redact(crawlErr.Error()))
	}
	p.notes = append(p.notes, notes...)
	for _, c := range use.Configs {
		if c.ProjectID != "" && c.ProjectID != fb.ProjectID {
			p.notes = append(p.notes, fmt.Sprintf("the frontend (%s) also uses Firebase project %s, which auth.firebase does not name and "+
				"this run did not probe", c.Where, c.ProjectID))
		}
	}
	if ok, why := env.MayWrite(ctx, fb.Endpoints.Firestore+"/v1/projects/"+fb.ProjectID+"/"); ok {
		p.writeCanaries(ctx)
	} else if env.Intrusive {
		p.notes = append(p.notes, "no canaries written: "+why)
	}
	p.probeDatabase(ctx)
	p.probeFirestore(ctx)
	p.probeStorage(ctx)
	return p.verdict()
}

// noFirebaseProject is SKIP when the frontend shows a Firebase project
// the config does not name, N/A when there is none.
func noFirebaseProject(use platform.FirebaseUse, texts int, notes []string, crawlErr error) check.Result {
	if len(use.Configs) == 0 {
		if crawlErr != nil {
			return check.Errorf("reading the frontend to look for a Firebase config: %v", crawlErr)
		}
		if texts == 0 && len(notes) > 0 {
			return check.Errorf("the frontend could not be read to look for a Firebase config: %s", strings.Join(notes, "; "))
		}
		return check.NotApplicable("the config has no auth.firebase and the frontend names no Firebase project")
	}
	c := use.Configs[0]
	fields := []string{"api_key: " + c.APIKey, "project_id: " + fbOr(c.ProjectID, "<project id>")}
	if c.DatabaseURL != "" {
		fields = append(fields, "database_url: "+c.DatabaseURL)
	}
	if c.StorageBucket != "" {
		fields = append(fields, "storage_bucket: "+c.StorageBucket)
	}
	reason := fmt.Sprintf("the frontend (%s) configures Firebase project %s, but the config has no auth.firebase, so its "+
		"security rules were not probed", c.Where, fbOr(c.ProjectID, "(no projectId found)"))
	if n := len(use.Configs) - 1; n > 0 {
		reason += fmt.Sprintf(" (and %d other Firebase config(s))", n)
	}
	return check.Skipped(reason, "add auth: {firebase: {"+strings.Join(fields, ", ")+"}} to launchready.yaml")
}

func fbOr(v, placeholder string) string {
	if v == "" {
		return placeholder
	}
	return v
}

// fbIdentity is one reader: anonymous (no session) or member b.
type fbIdentity struct {
	name string
	sess *client.Session
	uid  string
}

// firebaseProbe holds one run's sessions, targets and findings.
type firebaseProbe struct {
	env  *check.Env
	fb   *config.Firebase
	use  platform.FirebaseUse
	a    fbIdentity
	read [2]fbIdentity // anonymous, member b

	canaries []fbCanary
	// wroteAny says canary writes were tried (consent was there).
	wroteAny bool
	rows     []fbRow
	notes    []string
	requests int
}

// fbCanary is an item member a wrote in this run.
type fbCanary struct {
	service, label, url, value string
}

// fbRow is one probed location: a cell per reader.
type fbRow struct {
	label string
	cells [2]fbCell
}

// fbState is a cell's judgement.
type fbState int

const (
	fbRefused fbState = iota
	// fbOpen: the read was allowed but showed no other member's data.
	fbOpen
	// fbLeak: another member's data, or the whole database, was read.
	fbLeak
	// fbFailed: the probe itself failed (unexpected status, transport).
	fbFailed
)

// fbCell is one read's outcome.
type fbCell struct {
	state fbState
	text  string
	ev    *check.Evidence
}

func newFirebaseProbe(ctx context.Context, env *check.Env, fb *config.Firebase, use platform.FirebaseUse) (*firebaseProbe, error) {
	p := &firebaseProbe{env: env, fb: fb, use: use}
	ids := [2]*fbIdentity{&p.a, &p.read[1]}
	for i, name := range []string{"a", "b"} {
		sess, err := env.Sessions.PlatformSession(ctx, "firebase", name)
		if err != nil {
			return nil, fmt.Errorf("logging member %s into Firebase project %s: %w", name, fb.ProjectID, err)
		}
		uid := fbTokenUID(sess.Token())
		if uid == "" {
			return nil, fmt.Errorf("member %s's Firebase ID token names no user (user_id or sub claim)", name)
		}
		*ids[i] = fbIdentity{name: "member " + name, sess: sess, uid: uid}
	}
	if p.a.uid == p.read[1].uid {
		return nil, fmt.Errorf("members a and b are the same Firebase user (%s): give accounts.b another account", p.a.uid)
	}
	p.read[0] = fbIdentity{name: "anonymous"}
	return p, nil
}

// fbTokenUID reads the Firebase uid from an ID token ("Bearer …" or bare).
func fbTokenUID(tok string) string {
	t, err := jwtx.Parse(tok)
	if err != nil {
		return ""
	}
	for _, k := range []string{"user_id", "sub"} {
		if s, ok := t.Claims[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// verdict folds the cells: FAIL on a leak, ERROR when a probe failed,
// WARN when reads were allowed without proof of another member's data,
// SKIP when nothing was probed, else PASS.
func (p *firebaseProbe) verdict() check.Result {
	var leaks, open, failed []string
	var ev []check.Evidence
	refused := 0
	for _, row := range p.rows {
		for i, c := range row.cells {
			what := row.label + " (" + p.read[i].name + ")"
			switch c.state {
			case fbLeak:
				leaks = append(leaks, what)
				if c.ev != nil && len(ev) < maxFirebaseEvidence {
					ev = append(ev, *c.ev)
				}
			case fbOpen:
				open = append(open, what)
			case fbFailed:
				failed = append(failed, what+": "+c.text)
			default:
				refused++
			}
		}
	}
	total := 2 * len(p.rows)
	counts := fmt.Sprintf("%d reads in %d locations (%d requests, %d canaries); %d refused, %d allowed without another member's data, %d leaked, %d failed",
		total, len(p.rows), p.requests, len(p.canaries), refused, len(open), len(leaks), len(failed))
	var r check.Result
	switch {
	case len(p.rows) == 0:
		r = check.Skipped("nothing to probe: auth.firebase has no database_url or storage_bucket and the frontend names no "+
			"Firestore collection", "add auth.firebase.database_url / storage_bucket, or re-run with --intrusive so member a writes canaries")
	case len(leaks) > 0:
		r = check.Failf(ev, "Firebase rules hand out data they should refuse: %s; %s", strings.Join(leaks, "; "), counts)
	case len(failed) > 0:
		r = check.Errorf("%d Firebase reads could not be judged, so those locations are untested: %s; %s", len(failed), strings.Join(failed, "; "), counts)
	case len(open) > 0:
		r = check.Warnf(nil, "Firebase rules allow reads that showed no other member's data, so nothing is proved either way: %s "+
			"(with --intrusive, member a's canaries decide); %s", strings.Join(open, "; "), counts)
	default:
		how := "without canaries (re-run with --intrusive to prove it on data member a wrote)"
		if p.wroteAny {
			how = "though member a could write no canary (the rules refused those writes too)"
		}
		if len(p.canaries) > 0 {
			how = fmt.Sprintf("including member a's %d canaries", len(p.canaries))
		}
		r = check.Passf("Firebase rules refused every read by anonymous visitors and member b, %s; %s", how, counts)
	}
	if len(p.notes) > 0 && r.Status != check.Skip {
		r.Summary += "; notes: " + strings.Join(p.notes, "; ")
	}
	r.Table = p.table()
	return r
}

func (p *firebaseProbe) table() *check.Table {
	if len(p.rows) == 0 {
		return nil
	}
	t := &check.Table{Title: "Firebase rules", Columns: []string{p.read[0].name, p.read[1].name}}
	for _, row := range p.rows {
		t.Rows = append(t.Rows, check.TableRow{Label: row.label, Cells: []string{row.cells[0].text, row.cells[1].text}})
	}
	return t
}
