package journal

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzRead feeds arbitrary bytes to the journal parser, which `launchready
// cleanup` runs on a file it did not write in this process. It must never
// panic, and whatever it accepts must be well formed: each entry exactly
// one of an account or an object, with a valid undo request if any, and
// the same journal when written out again and read back.
func FuzzRead(f *testing.F) {
	f.Add([]byte(validHeader))
	f.Add([]byte(validHeader + `{"op":"plan","id":1,"account":{"name":"fresh","email":"qa+1@portal.test","password":"p"}}` + "\n" +
		`{"op":"created","id":1}` + "\n"))
	f.Add([]byte(validHeader + `{"op":"plan","id":2,"object":{"what":"w","as":"a"}}` + "\n" +
		`{"op":"created","id":2,"undo":{"method":"DELETE","url":"https://portal.test/api/messages/3","token_in":"query:auth"}}` + "\n" +
		`{"op":"removed","id":2}` + "\n"))
	f.Add([]byte(validHeader + `{"op":"plan","id":1,"object":{"what":"w","as":"a","platform":"supabase"}}` + "\n" + `{"op":"void","id":1,"note":"x"}` + "\n" + `{"op":"pl`))
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		if j.Header.Schema != Schema {
			t.Fatalf("accepted schema %q", j.Header.Schema)
		}
		var again bytes.Buffer
		enc := json.NewEncoder(&again)
		enc.Encode(j.Header)
		for _, e := range j.Entries {
			if (e.Account == nil) == (e.Object == nil) {
				t.Fatalf("entry %d holds %v and %v", e.ID, e.Account, e.Object)
			}
			if e.Object != nil && e.Object.Undo != nil {
				if err := e.Object.Undo.Validate(); err != nil {
					t.Fatalf("accepted an invalid undo: %v", err)
				}
			}
			enc.Encode(Record{Op: OpPlan, ID: e.ID, At: e.Planned, Account: e.Account, Object: e.Object})
			switch e.State {
			case Created:
				enc.Encode(Record{Op: OpCreated, ID: e.ID})
			case Removed:
				enc.Encode(Record{Op: OpRemoved, ID: e.ID})
			case Void:
				enc.Encode(Record{Op: OpVoid, ID: e.ID, Note: e.Note})
			}
		}
		back, err := Read(&again)
		if err != nil {
			t.Fatalf("a journal read back after writing it out: %v\n%s", err, again.String())
		}
		if len(back.Entries) != len(j.Entries) || len(back.Pending()) != len(j.Pending()) {
			t.Fatalf("read back %d entries (%d pending), want %d (%d)", len(back.Entries), len(back.Pending()), len(j.Entries), len(j.Pending()))
		}
	})
}
