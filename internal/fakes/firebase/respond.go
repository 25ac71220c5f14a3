package firebase

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
)

// writeJSON writes v as Google's API front ends do: indented by two
// spaces unless the request says prettyPrint=false.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var out []byte
	var err error
	if r.URL.Query().Get("prettyPrint") == "false" {
		out, err = json.Marshal(v)
	} else {
		out, err = json.MarshalIndent(v, "", "  ")
	}
	if err != nil {
		// Only our own values reach here, and they all marshal.
		http.Error(w, "internal error: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(out, '\n'))
}

// apiError is the error object of Google's JSON APIs
// (cloud.google.com/apis/design/errors), fields in the order Google
// sends them.
type apiError struct {
	Code    int         `json:"code"`
	Message string      `json:"message"`
	Errors  []errorItem `json:"errors,omitempty"`
	Status  string      `json:"status,omitempty"`
	Details []any       `json:"details,omitempty"`
}

type errorItem struct {
	Message string `json:"message"`
	Domain  string `json:"domain"`
	Reason  string `json:"reason"`
}

func (e *apiError) write(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, r, e.Code, map[string]any{"error": e})
}

// identityError is an Identity Toolkit error: HTTP 400, the code as the
// message and one error item, no status (as the service sends them).
func identityError(code string) *apiError {
	return &apiError{Code: http.StatusBadRequest, Message: code,
		Errors: []errorItem{{Message: code, Domain: "global", Reason: "invalid"}}}
}

// invalidArgument is a 400 INVALID_ARGUMENT from the API front end.
func invalidArgument(msg string) *apiError {
	return &apiError{Code: http.StatusBadRequest, Message: msg,
		Errors: []errorItem{{Message: msg, Domain: "global", Reason: "invalid"}}, Status: "INVALID_ARGUMENT"}
}

// notFoundError is the front end's answer to a path no method serves.
func notFoundError() *apiError {
	return &apiError{Code: http.StatusNotFound, Message: "Not Found",
		Errors: []errorItem{{Message: "Not Found", Domain: "global", Reason: "notFound"}}, Status: "NOT_FOUND"}
}

// checkAPIKey enforces ?key= as Google's front end does for APIs that
// need one: missing is 403 PERMISSION_DENIED, unknown is 400
// INVALID_ARGUMENT with an API_KEY_INVALID ErrorInfo.
func (s *Server) checkAPIKey(r *http.Request, service string) *apiError {
	key := r.URL.Query().Get("key")
	if key == "" {
		key = r.Header.Get("X-Goog-Api-Key")
	}
	switch {
	case key == "":
		const msg = "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."
		return &apiError{Code: http.StatusForbidden, Message: msg,
			Errors: []errorItem{{Message: msg, Domain: "global", Reason: "forbidden"}}, Status: "PERMISSION_DENIED"}
	case key != s.apiKey:
		const msg = "API key not valid. Please pass a valid API key."
		return &apiError{Code: http.StatusBadRequest, Message: msg,
			Errors: []errorItem{{Message: msg, Domain: "global", Reason: "badRequest"}}, Status: "INVALID_ARGUMENT",
			Details: []any{map[string]any{
				"@type":    "type.googleapis.com/google.rpc.ErrorInfo",
				"reason":   "API_KEY_INVALID",
				"domain":   "googleapis.com",
				"metadata": map[string]string{"service": service},
			}}}
	}
	return nil
}

// readBody reads a capped request body; an oversized one is a 413.
func readBody(r *http.Request) ([]byte, *apiError) {
	if r.Body == nil {
		return nil, nil
	}
	raw, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		msg := fmt.Sprintf("Request payload size exceeds the limit: %d bytes.", maxBody)
		return nil, &apiError{Code: http.StatusRequestEntityTooLarge, Message: msg, Status: "INVALID_ARGUMENT"}
	case err != nil:
		return nil, invalidArgument("Invalid JSON payload received. Unexpected end of input.")
	}
	return raw, nil
}

// decodeStrict decodes a JSON request body into v the way Google's
// front end does: unknown fields and wrong types are 400
// INVALID_ARGUMENT "Invalid JSON payload received…". An empty body is {}.
func decodeStrict(r *http.Request, v any) *apiError {
	raw, aerr := readBody(r)
	if aerr != nil {
		return aerr
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	err := d.Decode(v)
	if err == nil && d.More() {
		err = errors.New("trailing data")
	}
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		return invalidArgument(fmt.Sprintf("Invalid value at '%s' (%s), %s", typeErr.Field, protoType(typeErr.Type), typeErr.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return invalidArgument(fmt.Sprintf("Invalid JSON payload received. Unknown name %s: Cannot find field.", name))
	}
	return invalidArgument("Invalid JSON payload received. Unexpected token.")
}

// protoType names a Go type the way Google's messages name proto types.
func protoType(t reflect.Type) string {
	if t == nil {
		return "TYPE_MESSAGE"
	}
	switch t.Kind() {
	case reflect.String:
		return "TYPE_STRING"
	case reflect.Bool:
		return "TYPE_BOOL"
	case reflect.Int, reflect.Int32:
		return "TYPE_INT32"
	case reflect.Int64:
		return "TYPE_INT64"
	case reflect.Float64:
		return "TYPE_DOUBLE"
	}
	return "TYPE_MESSAGE"
}
