package check

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/launchready/launchready/internal/client"
	"github.com/launchready/launchready/internal/journal"
)

// ErrCleaningUp refuses a create once the scan's clean-up has started:
// nothing is made that the clean-up would not see.
var ErrCleaningUp = errors.New("the scan is cleaning up: nothing more is created")

// Undo says how to take back one thing a check is about to create on the
// target (a canary object) or change (a member's own data, reverted).
type Undo struct {
	// What names it, as listed when it is left behind.
	What string
	// As is the account whose session takes it back ("a"); Platform, when
	// set, names the platform whose session of that account is used.
	As, Platform string
	// Request, when it is known before the write, is the request that
	// takes it back: journaled, and replayed by `launchready cleanup`
	// after a killed run. Created can give it later.
	Request *journal.Request
	// Run takes it back in this process (with the session the check
	// holds, and checking the result as the check knows how).
	Run func(context.Context) error
}

// creationState is where one create stands in this process.
type creationState int

const (
	planned creationState = iota
	created
	refused
	unsure
)

// Creation is one thing the scan announced (journaled) before creating it.
// The check ends it with exactly one of Created, Refused or Unsure once
// the create has answered; the clean-up waits for creations in flight.
type Creation struct {
	env *Env
	id  int
	// account is the session name, for an account.
	account string
	undo    Undo

	mu    sync.Mutex
	state creationState
	err   error
}

// Context returns ctx detached from cancellation, for the request that
// creates: once sent it runs to its answer (bounded by the client's
// request timeouts) even when the run is interrupted, because the answer
// says what to take back (the new object's ID).
func (c *Creation) Context(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// Created records that the thing exists. req, when not nil, is the undo
// request learnt from the create's answer (journaled for `launchready
// cleanup`); run, when not nil, replaces the Undo's Run.
func (c *Creation) Created(req *journal.Request, run func(context.Context) error) {
	c.end(func() {
		c.state = created
		if run != nil {
			c.undo.Run = run
		}
		if req != nil {
			c.undo.Request = req
		}
		c.env.journalErr(c.env.Journal.Created(c.id, req))
	})
}

// Refused records that the portal refused the create: nothing exists, so
// nothing is deleted. An account may be found refused after its signup
// answered (Created), once a login proves there is no such account: it
// then leaves the clean-up list too.
func (c *Creation) Refused(why string) {
	c.mu.Lock()
	first := c.state == planned
	if first || (c.account != "" && c.state == created) {
		c.state = refused
		if c.account != "" {
			c.env.Sessions.Forget(c.account)
		}
		c.env.journalErr(c.env.Journal.Void(c.id, why))
	}
	c.mu.Unlock()
	if first {
		c.env.ended()
	}
}

// Unsure records that the create's answer does not say whether it exists
// (no answer, or no ID): it is listed as possibly left behind.
func (c *Creation) Unsure(err error) {
	c.end(func() { c.state, c.err = unsure, err })
}

// end applies the first ending and releases the clean-up's wait.
func (c *Creation) end(apply func()) {
	c.mu.Lock()
	done := c.state != planned
	if !done {
		apply()
	}
	c.mu.Unlock()
	if !done {
		c.env.ended()
	}
}

// UndoRequest turns a request the scan would send into one the journal
// keeps: its own headers without credentials (the replaying session adds
// its own), tokenIn as journal.Request.TokenIn.
func UndoRequest(req *client.Request, tokenIn string) *journal.Request {
	return &journal.Request{Method: req.Method, URL: req.URL, Header: journal.Strip(req.Header), Body: string(req.Body), TokenIn: tokenIn}
}

// Plan journals an object about to be created, or a change about to be
// made, before the request that makes it, and returns the Creation to end
// once it has answered. An error (the journal cannot be written, or the
// clean-up has started) means: do not create it.
func (e *Env) Plan(u Undo) (*Creation, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, ErrCleaningUp
	}
	id, err := e.Journal.PlanObject(journalObject(u))
	if err != nil {
		return nil, fmt.Errorf("journaling %s before creating it: %w", u.What, err)
	}
	c := &Creation{env: e, id: id, undo: u}
	e.creations = append(e.creations, c)
	e.inflight++
	return c, nil
}

func journalObject(u Undo) journal.Object {
	return journal.Object{What: u.What, As: u.As, Platform: u.Platform, Undo: u.Request}
}

// CreateAccount journals an account about to be signed up and registers
// it for the clean-up (its password joins the redaction set), before the
// signup is sent. An error means: do not sign it up.
func (e *Env) CreateAccount(name string, creds client.Credentials) (*Creation, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, ErrCleaningUp
	}
	id, err := e.Journal.PlanAccount(journal.Account{Name: name, Email: creds.Email, Password: creds.Password})
	if err != nil {
		return nil, fmt.Errorf("journaling the account %s before signing it up: %w", creds.Email, err)
	}
	e.Sessions.AddAccount(name, creds, true)
	c := &Creation{env: e, id: id, account: name, undo: Undo{What: "account " + creds.Email}}
	if e.accounts == nil {
		e.accounts = map[string]*Creation{}
	}
	e.accounts[name] = c
	e.inflight++
	return c, nil
}

// AccountRemoved marks a created account deleted in the journal.
func (e *Env) AccountRemoved(name string) {
	e.mu.Lock()
	c := e.accounts[name]
	e.mu.Unlock()
	if c != nil {
		e.journalErr(e.Journal.Removed(c.id))
	}
}

// ended counts one creation in flight as answered.
func (e *Env) ended() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.inflight--
	if e.idle != nil {
		close(e.idle)
		e.idle = nil
	}
}

// StopCreating starts the clean-up: every later Plan or CreateAccount is
// refused, and it waits (until ctx ends) for the creates in flight to
// answer, so none lands after the clean-up has looked.
func (e *Env) StopCreating(ctx context.Context) {
	for {
		e.mu.Lock()
		e.closed = true
		if e.inflight <= 0 {
			e.mu.Unlock()
			return
		}
		if e.idle == nil {
			e.idle = make(chan struct{})
		}
		idle := e.idle
		e.mu.Unlock()
		select {
		case <-idle:
		case <-ctx.Done():
			return
		}
	}
}

// Objects counts the objects the clean-up has to take back (created, or
// not known not to be).
func (e *Env) Objects() int {
	e.mu.Lock()
	cs := append([]*Creation(nil), e.creations...)
	e.mu.Unlock()
	n := 0
	for _, c := range cs {
		c.mu.Lock()
		if c.state != refused {
			n++
		}
		c.mu.Unlock()
	}
	return n
}

// RunDeferred takes back every object, newest first, marks each taken
// back in the journal, and returns what it left behind with the reason:
// a failed undo, or a create whose answer never said whether it exists.
func (e *Env) RunDeferred(ctx context.Context) []string {
	e.mu.Lock()
	cs := e.creations
	e.creations = nil
	e.mu.Unlock()
	var left []string
	for i := len(cs) - 1; i >= 0; i-- {
		c := cs[i]
		c.mu.Lock()
		state, err, undo := c.state, c.err, c.undo
		c.mu.Unlock()
		switch {
		case state == refused:
		case state == planned:
			left = append(left, undo.What+" (its create had not answered when the clean-up started: check by hand)")
		case state == unsure:
			left = append(left, fmt.Sprintf("%s (may have been created: %v; check by hand)", undo.What, err))
		case undo.Run == nil:
			left = append(left, undo.What+" (no way to take it back: delete it by hand)")
		default:
			if err := undo.Run(ctx); err != nil {
				left = append(left, undo.What+" ("+err.Error()+")")
				continue
			}
			e.journalErr(e.Journal.Removed(c.id))
		}
	}
	return left
}

// journalErr keeps a failed journal write: the clean-up reports it and
// keeps the journal.
func (e *Env) journalErr(err error) {
	if err == nil {
		return
	}
	e.jmu.Lock()
	defer e.jmu.Unlock()
	e.journalErrs = append(e.journalErrs, err)
}

// JournalErrors returns the journal writes that failed.
func (e *Env) JournalErrors() []error {
	e.jmu.Lock()
	defer e.jmu.Unlock()
	return append([]error(nil), e.journalErrs...)
}
