package mailauth

import (
	"testing"

	"github.com/emersion/go-msgauth/dmarc"
)

// TestDMARCAgainstGoMsgauth compares our parser with go-msgauth's dmarc
// package, a second implementation. Where they differ, why says why ours
// is stricter on purpose: go-msgauth follows the receiver's leniency,
// MAIL-003 tells the publisher what to fix.
func TestDMARCAgainstGoMsgauth(t *testing.T) {
	for _, tc := range []struct {
		rec string
		why string // "" when both must agree
	}{
		{rec: "v=DMARC1; p=reject; rua=mailto:dmarc@portal.test"},
		{rec: "v=DMARC1; p=none; rua=mailto:a@portal.test!10m,mailto:b@reports.test; sp=quarantine; adkim=s; aspf=r; pct=50; fo=1:d; ri=3600"},
		{rec: "v=DMARC1; p=quarantine"},
		{rec: "v=DMARC1;p=none;"},
		{rec: "v=DMARC1; p=reject; np=none; psd=n; t=y"},
		{rec: "v=DMARC1; rua=mailto:d@portal.test"},
		{rec: "v=DMARC1; p=block"},
		{rec: "v=DMARC1; p=reject; pct=150"},
		{rec: "v=DMARC1; p=reject; adkim=x"},
		{rec: "v=DMARC1; p=reject; fo=2"},
		{rec: "v=DMARC1; p=reject; rua=https://portal.test/r",
			why: "RFC 7489 §6.3 allows any URI, but receivers send aggregate reports only by mail; a non-mailto rua receives none"},
		{rec: "v=DMARC1; p=reject; polcy=none",
			why: "receivers ignore unknown tags (§6.3); an unknown tag is almost always a typo of a known one, which then does not apply"},
		{rec: "p=reject; v=DMARC1",
			why: "§6.3 requires v=DMARC1 first and receivers that follow it discard the record; go-msgauth does not check the order"},
		{rec: "v=DMARC1; p=reject; p=none",
			why: "a tag given twice is ambiguous; go-msgauth keeps the last one"},
	} {
		ours, oerr := ParseDMARC(tc.rec)
		theirs, terr := dmarc.Parse(tc.rec)
		agree := (oerr == nil) == (terr == nil)
		if tc.why != "" {
			if agree {
				t.Errorf("%q: expected a disagreement (%s) but both say err=%v / %v", tc.rec, tc.why, oerr, terr)
			}
			continue
		}
		if !agree {
			t.Errorf("%q: ours %v, go-msgauth %v", tc.rec, oerr, terr)
			continue
		}
		if oerr != nil {
			continue
		}
		var rua []string
		for _, u := range ours.RUA {
			s := u.URI
			if u.Size != "" {
				s += "!" + u.Size
			}
			rua = append(rua, s)
		}
		if ours.P != string(theirs.Policy) || ours.SP != string(theirs.SubdomainPolicy) ||
			ours.ADKIM != string(theirs.DKIMAlignment) || ours.ASPF != string(theirs.SPFAlignment) ||
			len(rua) != len(theirs.ReportURIAggregate) {
			t.Errorf("%q: ours %+v, go-msgauth %+v", tc.rec, ours, theirs)
			continue
		}
		for i := range rua {
			if rua[i] != theirs.ReportURIAggregate[i] {
				t.Errorf("%q: rua %q vs %q", tc.rec, rua, theirs.ReportURIAggregate)
			}
		}
		if theirs.Percent != nil && *theirs.Percent != ours.Pct {
			t.Errorf("%q: pct %d vs %d", tc.rec, ours.Pct, *theirs.Percent)
		}
	}
}
