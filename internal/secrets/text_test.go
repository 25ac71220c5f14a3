package secrets

import (
	"context"
	"strings"
	"sync"
	"testing"
)

// TestTextAtAndFound: a key in an inline script keeps the page's line
// number, and Found hears each raw value while findings hold none.
func TestTextAtAndFound(t *testing.T) {
	key := fakeStripe(t, "sk", "live")
	var mu sync.Mutex
	var heard []string
	sc, err := New(Options{Found: func(v string) {
		mu.Lock()
		defer mu.Unlock()
		heard = append(heard, v)
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		start, want int
	}{{1, 3}, {40, 42}, {0, 3}} {
		fs := sc.TextAt(context.Background(), "/index.html", "var a = 1;\n\nconst stripe = \""+key+"\";\n", tc.start)
		if len(fs) != 1 || fs[0].Line != tc.want || fs[0].File != "/index.html" {
			t.Fatalf("start %d: findings %+v, want one at line %d", tc.start, fs, tc.want)
		}
		if strings.Contains(fs[0].Redacted+fs[0].Fingerprint+fs[0].Kind, key) {
			t.Errorf("finding holds the value: %+v", fs[0])
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(heard) != 3 || !strings.Contains(heard[0], key) {
		t.Errorf("Found heard %d values, want the key 3 times", len(heard))
	}
}
