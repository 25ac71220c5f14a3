package main

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeGitHubPAT is a GitHub personal access token shape (gitleaks rule
// github-pat) with a random body, built from pieces at test time.
func fakeGitHubPAT(t *testing.T) string {
	t.Helper()
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 36)
	for i := range b {
		v, err := rand.Int(rand.Reader, big.NewInt(int64(len(alnum))))
		if err != nil {
			t.Fatal(err)
		}
		b[i] = alnum[v.Int64()]
	}
	return "gh" + "p_" + string(b)
}

// reportEvidence is what this test reads of a JSON report's evidence.
type reportEvidence struct {
	Detail      string `json:"detail"`
	Fingerprint string `json:"fingerprint"`
	Location    *struct {
		File   string `json:"file"`
		Line   int    `json:"line"`
		Commit string `json:"commit"`
	} `json:"location"`
}

// readSEC001 reads SEC-001's status, summary and evidence from a JSON report.
func readSEC001(t *testing.T, path string) (string, string, []reportEvidence) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Checks []struct {
			ID       string           `json:"id"`
			Status   string           `json:"status"`
			Summary  string           `json:"summary"`
			Evidence []reportEvidence `json:"evidence"`
		} `json:"checks"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Checks {
		if c.ID == "SEC-001" {
			return c.Status, c.Summary, c.Evidence
		}
	}
	t.Fatalf("no SEC-001 in %s", path)
	return "", "", nil
}

// TestSecretsReportCarriesEveryFinding: a history with 217 distinct
// tokens, four of them in 14 places each, gives a JSON report with an
// evidence item for every place, each with its fingerprint, and every
// value's first place described in full; SARIF points at every place.
// A fingerprint of a value far past the hundredth (where reports used to
// stop) can be waived, and so can one place of a repeated value, which
// waives that place only.
func TestSecretsReportCarriesEveryFinding(t *testing.T) {
	const distinct, copies = 217, 13
	r := newSecretsRepo(t)
	values := make([]string, distinct)
	for i := range values {
		values[i] = fakeGitHubPAT(t)
	}
	// want maps each place's fingerprint to the fingerprint of its value's
	// first place (filled in once the order is known).
	first := map[string]string{} // value -> fingerprint of its first place
	var places []struct{ fp, value string }
	add := func(commit, file string, lines []string) {
		for i, v := range lines {
			places = append(places, struct{ fp, value string }{fmt.Sprintf("%s:%s:github-pat:%d", commit, file, i+1), v})
		}
	}
	r.write("tokens/a.txt", strings.Join(values[:100], "\n")+"\n")
	add(r.commit(), "tokens/a.txt", values[:100])
	r.write("tokens/b.txt", strings.Join(values[100:], "\n")+"\n")
	add(r.commit(), "tokens/b.txt", values[100:])
	repeated := []string{values[3], values[120], values[200], values[216]}
	for c := range copies {
		name := fmt.Sprintf("copies/c%02d.txt", c)
		r.write(name, strings.Join(repeated, "\n")+"\n")
		if c%4 == 3 || c == copies-1 {
			sha := r.commit()
			for k := c - c%4; k <= c; k++ {
				add(sha, fmt.Sprintf("copies/c%02d.txt", k), repeated)
			}
		}
	}
	if len(places) != distinct+len(repeated)*copies {
		t.Fatalf("%d places planted, want %d", len(places), distinct+len(repeated)*copies)
	}
	out := t.TempDir()
	report := filepath.Join(out, "r.json")
	res := run(t, r.dir, "secrets", "--no-color", "--out", report, "--out", filepath.Join(out, "r.sarif"))
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	status, summary, evs := readSEC001(t, report)
	wantSummary := fmt.Sprintf("%d secrets (in %d places) in git history", distinct, len(places))
	if status != "FAIL" || !strings.HasPrefix(summary, wantSummary) {
		t.Fatalf("SEC-001 %s: %s\nwant FAIL: %s…", status, summary, wantSummary)
	}
	if len(evs) != len(places) {
		t.Errorf("%d evidence items, want one per place: %d", len(evs), len(places))
	}
	// Each value's first place in the report is described in full; every
	// other place follows it and names it.
	got := map[string]reportEvidence{}
	heads := map[string]int{} // fingerprint of a first place -> its rank among first places
	var lastHead reportEvidence
	for _, ev := range evs {
		if ev.Fingerprint == "" || ev.Location == nil {
			t.Fatalf("evidence without a fingerprint or location: %+v", ev)
		}
		got[ev.Fingerprint] = ev
		if strings.HasPrefix(ev.Detail, "the same GitHub personal access token") {
			if want := fmt.Sprintf("as in %s line %d (commit %s)", lastHead.Location.File, lastHead.Location.Line, lastHead.Location.Commit[:12]); !strings.Contains(ev.Detail, want) {
				t.Errorf("%s: %q does not name the place listed before it (%s)", ev.Fingerprint, ev.Detail, want)
			}
			continue
		}
		if !strings.HasPrefix(ev.Detail, "GitHub personal access token ghp_… (blocker, rule github-pat") ||
			!strings.Contains(ev.Detail, "fingerprint "+ev.Fingerprint) || !strings.Contains(ev.Detail, "Rotate first: revoke it in GitHub") {
			t.Errorf("first place of a value: %q", ev.Detail)
		}
		heads[ev.Fingerprint] = len(heads)
		lastHead = ev
	}
	if len(heads) != distinct {
		t.Errorf("%d values described, want %d", len(heads), distinct)
	}
	for _, p := range places {
		ev, ok := got[p.fp]
		if !ok {
			t.Errorf("place %s is not in the report", p.fp)
			continue
		}
		if _, isHead := heads[p.fp]; isHead {
			if first[p.value] != "" {
				t.Errorf("value of %s described twice (also at %s)", p.fp, first[p.value])
			}
			first[p.value] = p.fp
		}
		if strings.Contains(ev.Detail, p.value[4:]) {
			t.Fatalf("the report holds a token")
		}
	}
	sarif := string(mustRead(t, filepath.Join(out, "r.sarif")))
	for _, p := range places {
		parts := strings.Split(p.fp, ":")
		if !strings.Contains(sarif, `"uri": "`+parts[1]+`"`) {
			t.Errorf("SARIF does not point at %s", parts[1])
			break
		}
	}

	// Waive a value found once, ranked far past the hundredth, and one of
	// the 14 places of a repeated value.
	single := places[150].fp
	if rank, ok := heads[single]; !ok || rank < 100 || !strings.HasSuffix(single, ":tokens/b.txt:github-pat:51") {
		t.Fatalf("place 150 is %s (rank %d among values), want a value found once, past the 100th", single, rank)
	}
	var onePlace string
	for _, p := range places {
		if _, isHead := heads[p.fp]; p.value == repeated[1] && !isHead {
			onePlace = p.fp
			break
		}
	}
	r.write("launchready-waivers.yaml", "waivers:\n"+
		"  - {check: SEC-001, match: \""+single+"\", reason: revoked, owner: qa, expires: 2999-01-01}\n"+
		"  - {check: SEC-001, match: \""+onePlace+"\", reason: one copy reviewed, owner: qa, expires: 2999-01-01}\n")
	res = run(t, r.dir, "secrets", "--no-color", "--out", report)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1 (216 values unwaived)\n%s", res.code, res.stderr)
	}
	status, summary, evs = readSEC001(t, report)
	wantSummary = fmt.Sprintf("%d secrets (in %d places) in git history", distinct-1, len(places)-1)
	if status != "FAIL" || !strings.HasPrefix(summary, wantSummary) || !strings.Contains(summary, "(also 1 waived)") {
		t.Errorf("SEC-001 %s: %s\nwant FAIL: %s… (also 1 waived)", status, summary, wantSummary)
	}
	waived := 0
	for _, ev := range evs {
		isWaived := strings.HasPrefix(ev.Detail, "WAIVED until 2999-01-01 by qa")
		if isWaived {
			waived++
		}
		if (ev.Fingerprint == single || ev.Fingerprint == onePlace) != isWaived {
			t.Errorf("%s: waived %v: %q", ev.Fingerprint, isWaived, ev.Detail)
		}
	}
	if waived != 2 || len(evs) != len(places) {
		t.Errorf("%d places waived of %d listed, want 2 of %d", waived, len(evs), len(places))
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
