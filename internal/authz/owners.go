package authz

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

// ownersIn reads, in a JSON list, which objects name member a's or member
// b's own id (read at accounts.me) in one of their fields (an owner or
// user relation): those objects are that member's, whichever lists show
// them. An id field equal to a member's id is not an owner.
func ownersIn(body []byte, idField, selfA, selfB string) (a, b map[string]bool) {
	a, b = map[string]bool{}, map[string]bool{}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || (trimmed[0] != '{' && trimmed[0] != '[') {
		return a, b
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	if dec.Decode(&doc) != nil {
		return a, b
	}
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 8 {
			return
		}
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e, depth+1)
			}
		case map[string]any:
			id, ok := ownerScalar(x[idField])
			if !ok {
				for _, e := range x {
					walk(e, depth+1)
				}
				return
			}
			for k, f := range x {
				s, ok := ownerScalar(f)
				if !ok || k == idField {
					continue
				}
				switch s {
				case selfA:
					a[id] = true
				case selfB:
					b[id] = true
				}
			}
		}
	}
	walk(doc, 0)
	return a, b
}

// ownerScalar renders a JSON string or number.
func ownerScalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, x != ""
	case json.Number:
		return x.String(), true
	}
	return "", false
}

// attributeOwners drops from each member's list the objects that name the
// other member as their owner, when the config says how a member reads
// its own id (accounts.me): lists that show every member's objects to
// everyone (the leak itself) then still tell a's objects from b's.
func (d *discovery) attributeOwners(ctx context.Context, k *Kind, idField string, bodyA, bodyB []byte) {
	if d.env.Config.Me == nil {
		return
	}
	selfA, errA := d.a.SelfID(ctx)
	selfB, errB := d.b.SelfID(ctx)
	if errA != nil || errB != nil || selfA == "" || selfB == "" || selfA == selfB {
		d.note("%s: the members' own ids (accounts.me) could not be read, so objects both lists show are not attributed: %v", k.Name, cmpErr(errA, errB))
		return
	}
	ownA, ownB := map[string]bool{}, map[string]bool{}
	for _, body := range [][]byte{bodyA, bodyB} {
		a, b := ownersIn(body, idField, selfA, selfB)
		for id := range a {
			ownA[id] = true
		}
		for id := range b {
			ownB[id] = true
		}
	}
	if len(ownA)+len(ownB) == 0 {
		return
	}
	k.IDsA = without(k.IDsA, ownB)
	k.IDsB = without(k.IDsB, ownA)
	d.note("%s: %d of member a's and %d of member b's objects told apart by their owner field (accounts.me ids)", k.Name, len(ownA), len(ownB))
}

func without(ids []string, drop map[string]bool) []string {
	out := ids[:0:0]
	for _, id := range ids {
		if !drop[id] {
			out = append(out, id)
		}
	}
	return out
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	if b != nil {
		return b
	}
	return fmt.Errorf("both members have the same id")
}
