// Package mail holds the Email deliverability checks (MAIL-*): SPF, DKIM
// keys, DMARC and MX of the portal's sending domains, read from DNS
// through the configured resolver only.
package mail

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/launchready/launchready/internal/check"
	"github.com/launchready/launchready/internal/mailauth"
)

// reads is what every MAIL check reads: the sending domains come from the
// email section (later also from mail the auth journey received).
var reads = []string{"email.domains|email.sender.from"}

// domains lists the sending domains to judge, or the SKIP that says how
// to name them.
func domains(env *check.Env) ([]string, *check.Result) {
	if ds := env.Config.MailDomains(); len(ds) > 0 {
		return ds, nil
	}
	r := check.Skipped("no sending domain: the config names none (email.domains or email.sender.from) and no mail was received",
		"email.domains")
	return nil, &r
}

// resolver is the DNS client every lookup goes through: target.resolver,
// or the system's when it is empty; nothing else is ever asked.
func resolver(env *check.Env) (*mailauth.Resolver, error) {
	return mailauth.NewResolver(env.Config.Target.Resolver, env.Config.Target.Timeouts.Connect)
}

// verdict is one domain's judgement; a check combines its domains'.
type verdict struct {
	status   check.Status
	summary  string
	evidence []check.Evidence
}

// rank orders statuses for combining: the worst one decides. A FAIL is
// worth more than an ERROR on another domain: it is a proven problem.
func rank(s check.Status) int {
	switch s {
	case check.Fail:
		return 4
	case check.Error:
		return 3
	case check.Warn:
		return 2
	case check.Pass:
		return 1
	}
	return 0
}

// combine makes one result of several domains' verdicts.
func combine(vs []verdict) check.Result {
	var r check.Result
	var parts []string
	for _, v := range vs {
		if rank(v.status) > rank(r.Status) {
			r.Status = v.status
		}
		parts = append(parts, v.summary)
		for _, e := range v.evidence {
			if e.Repro == "" {
				e.Repro = digRepro(e.Request)
			}
			r.Evidence = append(r.Evidence, e)
		}
	}
	r.Summary = strings.Join(parts, "; ")
	if r.Status == check.Error {
		r.Reason = r.Summary
	}
	return r
}

// dnsError is the verdict for a lookup that failed (SERVFAIL, timeout,
// REFUSED): the check could not judge, which is never a pass.
func dnsError(what string, err error) verdict {
	return verdict{status: check.Error, summary: fmt.Sprintf("%s could not be read: %v", what, err),
		evidence: []check.Evidence{{Request: lookupRequest(err), Detail: err.Error()}}}
}

// lookupRequest names a failed query as "DNS TYPE name @server".
func lookupRequest(err error) string {
	var le *mailauth.LookupError
	if errors.As(err, &le) {
		return fmt.Sprintf("DNS %s %s @%s", le.Type, le.Name, le.Server)
	}
	return ""
}

// txtEvidence quotes a record as found and the rule it was judged by.
func txtEvidence(r *mailauth.Resolver, name, record, rule string) check.Evidence {
	return check.Evidence{Request: fmt.Sprintf("DNS TXT %s @%s", name, r.Server()), Detail: fmt.Sprintf("%q\n%s", record, rule)}
}

// publish is the evidence line that gives the exact record to publish.
func publish(name, record string) check.Evidence {
	return check.Evidence{Detail: fmt.Sprintf("publish: %s. 3600 IN TXT %q", name, record)}
}

// run judges each domain with judge and combines the verdicts.
func run(ctx context.Context, env *check.Env, judge func(context.Context, *mailauth.Resolver, string) verdict) check.Result {
	ds, skip := domains(env)
	if skip != nil {
		return *skip
	}
	r, err := resolver(env)
	if err != nil {
		return check.Errorf("DNS resolver: %v", err)
	}
	vs := make([]verdict, 0, len(ds))
	for _, d := range ds {
		vs = append(vs, judge(ctx, r, d))
	}
	return combine(vs)
}

// digRepro is the dig command that asks the same question of the same
// server as a "DNS TYPE name @host:port" evidence request; "" for other
// evidence.
func digRepro(req string) string {
	f := strings.Fields(req)
	if len(f) != 4 || f[0] != "DNS" || !strings.HasPrefix(f[3], "@") {
		return ""
	}
	host, port, err := net.SplitHostPort(strings.TrimPrefix(f[3], "@"))
	if err != nil {
		return ""
	}
	return fmt.Sprintf("dig +norecurse @%s -p %s %s %s", host, port, f[2], f[1])
}
