package journal

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// ErrLocked is returned when another process (a running scan, or another
// cleanup) holds the journal.
var ErrLocked = errors.New("the journal is in use by another launchready process (a scan still running, or a cleanup)")

// Dir is where journals live: $XDG_STATE_HOME/launchready/journals, or
// ~/.local/state/launchready/journals. State, not config: a journal is
// what one run left to do, per user, never in a project folder that may be
// committed (it holds passwords), and one known place lets `launchready
// cleanup` find a killed run's journal without being told.
func Dir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "launchready", "journals"), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no home folder for the journal: set XDG_STATE_HOME: %w", err)
		}
		home = h
	}
	return filepath.Join(home, ".local", "state", "launchready", "journals"), nil
}

// Writer appends to one run's journal and holds its lock. A nil *Writer
// writes nothing (a scan with no journal file: tests of checks); its
// methods then succeed.
type Writer struct {
	path string

	mu     sync.Mutex
	f      *os.File
	next   int
	closed bool
}

// Create makes a new journal in dir (created 0700 if missing) for the run
// the header describes, 0600, locked, its header written and synced.
func Create(dir string, h Header) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal folder: %w", err)
	}
	if h.Run == "" {
		h.Run = newRunID(h.Started)
	}
	h.Schema = Schema
	path := filepath.Join(dir, h.Run+".jsonl")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating the journal: %w", err)
	}
	if err := lock(f); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("locking the journal: %w", err)
	}
	w := &Writer{path: path, f: f, next: 1}
	if err := w.writeLine(h); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return w, nil
}

// Open opens an existing journal to finish it: locks it (ErrLocked when a
// live process holds it), refuses one that others may write, reads it,
// and returns a Writer that appends marks after its last record.
func Open(path string) (*Writer, *Journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() || st.Mode().Perm()&0o022 != 0 {
		f.Close()
		return nil, nil, fmt.Errorf("%s: not a journal this user alone may write (mode %s): refusing to replay its requests", path, st.Mode())
	}
	if err := lock(f); err != nil {
		f.Close()
		return nil, nil, err
	}
	j, err := Read(io.LimitReader(f, MaxLine*4+MaxRecords*1024))
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	next := 1
	for _, e := range j.Entries {
		next = max(next, e.ID+1)
	}
	if j.Torn {
		// A cut-short line would swallow the next mark: end it first.
		if _, err := f.Write([]byte("\n")); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return &Writer{path: path, f: f, next: next}, j, nil
}

// Path is the journal's file ("" for a nil Writer).
func (w *Writer) Path() string {
	if w == nil {
		return ""
	}
	return w.path
}

// PlanAccount announces an account about to be signed up and returns its
// entry's ID.
func (w *Writer) PlanAccount(a Account) (int, error) {
	return w.plan(Record{Account: &a})
}

// PlanObject announces an object about to be created (or a change about
// to be made) and returns its entry's ID.
func (w *Writer) PlanObject(o Object) (int, error) {
	if o.Undo != nil {
		if err := o.Undo.Validate(); err != nil {
			return 0, err
		}
	}
	return w.plan(Record{Object: &o})
}

func (w *Writer) plan(r Record) (int, error) {
	if w == nil {
		return 0, nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	r.Op, r.ID, r.At = OpPlan, w.next, time.Now().UTC()
	if err := w.writeLocked(r); err != nil {
		return 0, err
	}
	w.next++
	return r.ID, nil
}

// Created marks an entry created, with the undo request learnt from the
// create's answer (nil when it was known at the plan, or for an account).
func (w *Writer) Created(id int, undo *Request) error {
	if undo != nil {
		if err := undo.Validate(); err != nil {
			return err
		}
	}
	return w.mark(Record{Op: OpCreated, ID: id, Undo: undo})
}

// Removed marks an entry deleted or reverted.
func (w *Writer) Removed(id int) error { return w.mark(Record{Op: OpRemoved, ID: id}) }

// Void marks an entry never created, saying why.
func (w *Writer) Void(id int, why string) error {
	return w.mark(Record{Op: OpVoid, ID: id, Note: why})
}

func (w *Writer) mark(r Record) error {
	if w == nil || r.ID == 0 {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	r.At = time.Now().UTC()
	return w.writeLocked(r)
}

func (w *Writer) writeLocked(r Record) error {
	if w.closed {
		return errors.New("the journal is closed")
	}
	return w.writeLine(r)
}

// writeLine appends one JSON line with a single write and syncs it: the
// record is on disk before the create it announces is sent.
func (w *Writer) writeLine(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("journal record: %w", err)
	}
	if _, err := w.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("writing the journal: %w", err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("syncing the journal: %w", err)
	}
	return nil
}

// Close releases the journal and keeps the file (something was left).
func (w *Writer) Close() error {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	return w.f.Close()
}

// Remove deletes the file and releases the journal: everything it listed
// is gone.
func (w *Writer) Remove() error {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	err := os.Remove(w.path)
	if !w.closed {
		w.closed = true
		err = errors.Join(err, w.f.Close())
	}
	return err
}

// newRunID names a run by its start time and a random suffix, so journals
// sort by age and never collide.
func newRunID(t time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// Found is a journal in the journals folder.
type Found struct {
	Path string
	// Journal is its content (nil with Err or Live).
	Journal *Journal
	// Live is true when a running process holds it.
	Live bool
	// Err says why it could not be read.
	Err error
}

// Find lists the journals in dir, oldest first: those a running process
// holds are Live; the others were left by a run that was killed or whose
// clean-up left something behind.
func Find(dir string) ([]Found, error) {
	des, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Found
	for _, de := range des {
		if de.IsDir() || !strings.HasSuffix(de.Name(), ".jsonl") {
			continue
		}
		path := filepath.Join(dir, de.Name())
		w, j, err := Open(path)
		switch {
		case errors.Is(err, ErrLocked):
			out = append(out, Found{Path: path, Live: true})
		case err != nil:
			out = append(out, Found{Path: path, Err: err})
		default:
			w.Close()
			out = append(out, Found{Path: path, Journal: j})
		}
	}
	return out, nil
}
