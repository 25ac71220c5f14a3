package scan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/checks/journey"
	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/config"
	"github.com/launchready/launchready/internal/journal"
	"github.com/launchready/launchready/internal/owner"
)

// FinishOptions tune Finish.
type FinishOptions struct {
	// Version is the tool version (User-Agent).
	Version string
	// Notice receives lines for the user.
	Notice func(string)
	// OwnerKey proves ownership of a target off loopback, as for a scan
	// (OwnerKeyErr says why there is none): the deletes need the same
	// consent the run had.
	OwnerKey    owner.Key
	OwnerKeyErr error

	verifier *owner.Verifier
	tune     []func(*client.Options)
}

// Finished is what Finish did.
type Finished struct {
	// Removed names what it deleted or reverted.
	Removed []string
	// Left names what is still there, each with the reason.
	Left []string
	// JournalRemoved is true when nothing was left and the journal is gone.
	JournalRemoved bool
}

// Finish finishes a run's clean-up from its journal (opened with
// journal.Open, which holds its lock): with cfg, the config the run used,
// it logs in as needed, takes back every object still listed (replaying
// its journaled undo request as the account that made it), deletes every
// account still listed, marks each in the journal, and removes the
// journal when nothing is left. ctx bounds it; target.timeouts.cleanup
// too.
func Finish(ctx context.Context, cfg *config.Config, w *journal.Writer, j *journal.Journal, opts FinishOptions) (*Finished, error) {
	notice := opts.Notice
	if notice == nil {
		notice = func(string) {}
	}
	if !sameOrigin(cfg.Target.URL, j.Header.Target) {
		return nil, &UsageError{Msg: fmt.Sprintf("the journal is of a run against %s, the config's target.url is %s: give the config that run used (--config)",
			j.Header.Target, cfg.Target.URL)}
	}
	pending := j.Pending()
	if err := safeToFinish(cfg, pending); err != nil {
		return nil, err
	}
	out := &Finished{}
	if len(pending) == 0 {
		out.JournalRemoved = true
		return out, w.Remove()
	}
	env, err := finishEnv(ctx, cfg, w, pending, opts)
	if err != nil {
		return nil, err
	}
	timeout := cfg.Target.Timeouts.Cleanup
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	accounts := 0
	for _, e := range pending {
		if e.Account != nil {
			accounts++
		}
	}
	notice(fmt.Sprintf("cleaning up %s and %s left by the run of %s against %s (at most %s; Ctrl-C to abort)",
		plural(accounts, "account"), plural(len(pending)-accounts, "object"), j.Header.Started.Local().Format(time.DateTime),
		j.Header.Target, seconds(timeout)))
	if ok, why := consent(cctx, env, opts.verifier, opts.OwnerKeyErr); !ok {
		for _, e := range pending {
			out.Left = append(out.Left, e.Describe()+" (no consent to delete it: "+why+")")
		}
		return out, w.Close()
	}
	// Objects first, newest first, as the scan does: some belong to the
	// accounts deleted after them.
	for _, e := range slices.Backward(pending) {
		if e.Object == nil {
			continue
		}
		out.record(w, e, replay(cctx, env, e.Object))
	}
	since := j.Header.Started.Add(-time.Minute)
	for _, e := range pending {
		if e.Account != nil {
			out.record(w, e, deleteAccount(cctx, env, e.Account.Name, since))
		}
	}
	if len(out.Left) > 0 {
		return out, w.Close()
	}
	out.JournalRemoved = true
	return out, w.Remove()
}

// record marks one entry removed, or notes what was left.
func (f *Finished) record(w *journal.Writer, e journal.Entry, err error) {
	if err == nil {
		err = w.Removed(e.ID)
		if err == nil {
			f.Removed = append(f.Removed, e.Describe())
			return
		}
		err = fmt.Errorf("deleted, but the journal could not say so: %w", err)
	}
	f.Left = append(f.Left, e.Describe()+" ("+err.Error()+")")
}

// safeToFinish refuses a journal that would have cleanup delete an account
// the config names (a, b, admin, or an address reaching one) or act as an
// account it does not know: a journal is a file on disk, not proof.
func safeToFinish(cfg *config.Config, pending []journal.Entry) error {
	owners := check.NewWrongPasswords(cfg, nil, 0)
	created := map[string]bool{}
	for _, e := range pending {
		if a := e.Account; a != nil {
			if _, ok := cfg.Accounts[a.Name]; ok {
				return &UsageError{Msg: fmt.Sprintf("journal entry %d names the account %q, which the config names: not deleting it", e.ID, a.Name)}
			}
			if err := owners.Allowed(a.Email); errors.Is(err, check.ErrProtectedAccount) {
				return &UsageError{Msg: fmt.Sprintf("journal entry %d would delete %s: %v", e.ID, a.Email, err)}
			}
			created[a.Name] = true
		}
	}
	for _, e := range pending {
		if o := e.Object; o != nil {
			if _, ok := cfg.Accounts[o.As]; !ok && !created[o.As] {
				return &UsageError{Msg: fmt.Sprintf("journal entry %d is taken back as %q, an account neither the config nor the journal names", e.ID, o.As)}
			}
		}
	}
	return nil
}

// finishEnv builds the client and sessions the config describes, with the
// journal's accounts added (their passwords join the redaction set).
func finishEnv(ctx context.Context, cfg *config.Config, w *journal.Writer, pending []journal.Entry, opts FinishOptions) (*check.Env, error) {
	cl, sessions, err := client.FromConfig(cfg, opts.Version, opts.tune...)
	if err != nil {
		return nil, err
	}
	for _, e := range pending {
		if a := e.Account; a != nil {
			sessions.AddAccount(a.Name, client.Credentials{Email: a.Email, Password: a.Password, Tag: journey.TagOf(a.Email)}, true)
		}
	}
	cl.Pin(ctx)
	if mb := sessions.Mailbox(); mb != nil {
		mb.Client.Pin(ctx)
	}
	return &check.Env{Config: cfg, Client: cl, Sessions: sessions, Intrusive: true, Journal: w}, nil
}

// replay sends an object's journaled undo request as the account that
// made it; an object already gone (404, 410) counts as taken back.
func replay(ctx context.Context, env *check.Env, o *journal.Object) error {
	if o.Undo == nil {
		return errors.New("its create never answered, so how to delete it is unknown: check by hand")
	}
	u := o.Undo
	if err := u.Validate(); err != nil {
		return err
	}
	var sess *client.Session
	var err error
	if o.Platform != "" {
		sess, err = env.Sessions.PlatformLogin(ctx, o.Platform, o.As)
	} else {
		sess, err = env.Sessions.Login(ctx, o.As)
	}
	if err != nil {
		return fmt.Errorf("logging in as %s to take it back: %w", o.As, err)
	}
	req := &client.Request{Method: u.Method, URL: u.URL, Header: u.Header.Clone(), Body: []byte(u.Body)}
	if o.Platform == "" {
		// The portal's own request, as the member's browser sends it from
		// the portal's front page.
		req.Browser = client.FromURL(env.Sessions.Config().Origin.ResolveReference(&url.URL{Path: "/"}).String())
	}
	send := sess.Do
	token := bareToken(sess.Token())
	switch kind, name, _ := strings.Cut(u.TokenIn, ":"); kind {
	case "query":
		// The token travels in the URL, not in the session's header.
		q, err := url.Parse(req.URL)
		if err != nil {
			return err
		}
		v := q.Query()
		v.Set(name, token)
		q.RawQuery = v.Encode()
		req.URL, send = q.String(), env.Client.Do
	case "json":
		var body map[string]any
		if err := json.Unmarshal(req.Body, &body); err != nil || body == nil {
			return fmt.Errorf("the undo body is not a JSON object to put the token in")
		}
		body[name] = token
		if req.Body, err = json.Marshal(body); err != nil {
			return err
		}
	}
	resp, err := send(ctx, req)
	if err != nil {
		return err
	}
	switch {
	case resp.StatusCode < 300, resp.StatusCode == http.StatusNotFound, resp.StatusCode == http.StatusGone:
		return nil
	}
	return fmt.Errorf("%s %s answered %d", u.Method, env.Client.Redactor().Redact(u.URL), resp.StatusCode)
}

// bareToken strips a header prefix ("Bearer ") from a session's token.
func bareToken(t string) string {
	return strings.TrimSpace(t[strings.LastIndexByte(t, ' ')+1:])
}

// sameOrigin compares two URLs by scheme and host (port included).
func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host)
}
