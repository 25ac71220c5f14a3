package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// Bounds on what Read accepts: a journal is a small file the scan wrote,
// and cleanup treats it as untrusted input.
const (
	// MaxLine bounds one record (an undo request's body included).
	MaxLine = 1 << 20
	// MaxRecords bounds the records after the header.
	MaxRecords = 100_000
)

// State is where each planned thing stands.
type State string

// States of an entry.
const (
	// Planned: announced, the create may or may not have reached the
	// portal.
	Planned State = "planned"
	// Created: it exists.
	Created State = "created"
	// Removed: deleted or reverted.
	Removed State = "removed"
	// Void: never created.
	Void State = "void"
)

// Entry is one planned thing and where it stands.
type Entry struct {
	ID int
	// Account or Object, exactly one.
	Account *Account
	Object  *Object
	State   State
	// Planned is when it was announced.
	Planned time.Time
	// Note says why it is void.
	Note string
}

// Pending reports whether the entry may still exist on the target.
func (e Entry) Pending() bool { return e.State == Planned || e.State == Created }

// Describe names the entry for a person (never its password).
func (e Entry) Describe() string {
	if e.Account != nil {
		return "account " + e.Account.Email
	}
	return e.Object.What
}

// Journal is a journal as read: its header and its entries in plan order.
type Journal struct {
	Header  Header
	Entries []Entry
	// Torn is true when the last line was cut short (the process died
	// while writing it): that record is ignored, and the create it
	// announced was never sent.
	Torn bool
}

// Pending returns the entries that may still exist on the target.
func (j *Journal) Pending() []Entry {
	var out []Entry
	for _, e := range j.Entries {
		if e.Pending() {
			out = append(out, e)
		}
	}
	return out
}

// Read parses a journal. It refuses an unknown schema, a record that does
// not fit the format or the sequence (a mark for an unknown ID, a plan
// that reuses one, a change after removed or void), and anything past
// the bounds; a cut-short last line is ignored (Torn).
func Read(r io.Reader) (*Journal, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	line, last, err := readLine(br)
	if err != nil {
		return nil, fmt.Errorf("journal header: %w", err)
	}
	j := &Journal{}
	if err := strictJSON(line, &j.Header); err != nil {
		return nil, fmt.Errorf("journal header: %w", err)
	}
	if j.Header.Schema != Schema {
		return nil, fmt.Errorf("journal schema %q: this launchready reads %s", j.Header.Schema, Schema)
	}
	if j.Header.Target == "" {
		return nil, errors.New("journal header: no target")
	}
	index := map[int]int{}
	for n := 1; !last; n++ {
		if n > MaxRecords {
			return nil, fmt.Errorf("journal: more than %d records", MaxRecords)
		}
		line, last, err = readLine(br)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("journal line %d: %w", n+1, err)
		}
		var rec Record
		if err := strictJSON(line, &rec); err != nil {
			if last && !bytes.HasSuffix(line, []byte("\n")) {
				j.Torn = true
				break
			}
			return nil, fmt.Errorf("journal line %d: %w", n+1, err)
		}
		if err := j.apply(index, &rec); err != nil {
			return nil, fmt.Errorf("journal line %d: %w", n+1, err)
		}
	}
	return j, nil
}

// apply adds one record to the state.
func (j *Journal) apply(index map[int]int, rec *Record) error {
	if err := rec.validate(); err != nil {
		return err
	}
	i, known := index[rec.ID]
	if rec.Op == OpPlan {
		if known {
			return fmt.Errorf("plan %d: the id is already used", rec.ID)
		}
		index[rec.ID] = len(j.Entries)
		j.Entries = append(j.Entries, Entry{ID: rec.ID, Account: rec.Account, Object: rec.Object, State: Planned, Planned: rec.At})
		return nil
	}
	if !known {
		return fmt.Errorf("%s %d: no such plan", rec.Op, rec.ID)
	}
	e := &j.Entries[i]
	if !e.Pending() {
		return fmt.Errorf("%s %d: it is already %s", rec.Op, rec.ID, e.State)
	}
	switch rec.Op {
	case OpCreated:
		e.State = Created
		if rec.Undo != nil {
			if e.Object == nil {
				return fmt.Errorf("created %d: an account has no undo request", rec.ID)
			}
			o := *e.Object
			o.Undo = rec.Undo
			e.Object = &o
		}
	case OpRemoved:
		e.State = Removed
	case OpVoid:
		e.State, e.Note = Void, rec.Note
	}
	return nil
}

// readLine returns the next line with its newline, bounded by MaxLine;
// last is true when nothing follows it.
func readLine(br *bufio.Reader) (line []byte, last bool, err error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > MaxLine {
			return nil, false, fmt.Errorf("a line longer than %d bytes", MaxLine)
		}
		switch {
		case err == nil:
			_, peekErr := br.Peek(1)
			return buf, peekErr != nil, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(buf) > 0:
			return buf, true, nil
		default:
			return nil, true, err
		}
	}
}

// strictJSON decodes one JSON value, refusing unknown fields and trailing
// data.
func strictJSON(line []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the record")
	}
	return nil
}
