package check

import (
	"github.com/launchready/launchready/internal/client"
)

// HTTPEvidence builds evidence from a response: the request as sent, the
// final status, the detail and a curl repro, all redacted.
func HTTPEvidence(env *Env, resp *client.Response, detail string) Evidence {
	red := env.Client.Redactor()
	ev := Evidence{Detail: red.Redact(detail)}
	if resp == nil {
		return ev
	}
	method := "GET"
	if resp.Request != nil && resp.Request.Method != "" {
		method = resp.Request.Method
	}
	if resp.Request != nil {
		ev.Request = red.Redact(method + " " + resp.Request.URL)
	}
	ev.Status = resp.StatusCode
	ev.Repro = env.Client.Repro(resp)
	return ev
}

// HopEvidence describes one exchange of a chain (a redirect hop, or the
// response that set a cookie) with the repro of the whole request.
func HopEvidence(env *Env, resp *client.Response, hop client.Hop, detail string) Evidence {
	red := env.Client.Redactor()
	ev := Evidence{
		Request: red.Redact(hop.Method + " " + hop.URL),
		Status:  hop.Status,
		Detail:  red.Redact(detail),
	}
	if resp != nil {
		ev.Repro = env.Client.Repro(resp)
	}
	return ev
}
