package supabase

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
)

// The API gateway in front of the three services: CORS, the apikey check,
// the body cap, and dispatch by path prefix.

// ServeHTTP answers every path of the project.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	// PostgREST's list, so that a browser client can read counts.
	h.Set("Access-Control-Expose-Headers", "Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, Server, Transfer-Encoding, Range-Unit")
	if r.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "authorization, apikey, content-type, prefer, range, range-unit, accept-profile, content-profile, x-client-info, x-supabase-api-version")
		h.Set("Access-Control-Max-Age", "3600")
		w.WriteHeader(http.StatusOK)
		return
	}
	var serve func(http.ResponseWriter, *http.Request, string, string)
	path := r.URL.Path
	switch {
	case path == "/rest/v1" || strings.HasPrefix(path, "/rest/v1/"):
		serve, path = s.serveRest, strings.TrimPrefix(strings.TrimPrefix(path, "/rest/v1"), "/")
	case strings.HasPrefix(path, "/auth/v1/"):
		serve, path = s.serveAuth, strings.TrimPrefix(path, "/auth/v1/")
	case strings.HasPrefix(path, "/storage/v1/"):
		serve, path = s.serveStorage, strings.TrimPrefix(path, "/storage/v1/")
	default:
		writeJSON(w, http.StatusNotFound, "application/json", gatewayError{Message: "no Route matched with those values"})
		return
	}
	key, ok := s.apiKey(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	serve(w, r, path, key)
}

// gatewayError is the gateway's own error body.
type gatewayError struct {
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

// apiKey checks the apikey header (or query parameter) and returns the
// role it names.
func (s *Server) apiKey(w http.ResponseWriter, r *http.Request) (string, bool) {
	key := r.Header.Get("apikey")
	if key == "" {
		key = r.URL.Query().Get("apikey")
	}
	switch key {
	case "":
		writeJSON(w, http.StatusUnauthorized, "application/json", gatewayError{Message: "No API key found in request",
			Hint: "No `apikey` request header or url param was found."})
		return "", false
	case s.anonKey:
		return "anon", true
	case s.serviceKey:
		return "service_role", true
	}
	writeJSON(w, http.StatusUnauthorized, "application/json", gatewayError{Message: "Invalid API key"})
	return "", false
}

// readBody reads the (capped) request body; false means an answer was
// written.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	raw, err := io.ReadAll(r.Body)
	if err == nil {
		return raw, true
	}
	if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
		writeJSON(w, http.StatusRequestEntityTooLarge, "application/json", gatewayError{Message: "Request Entity Too Large"})
		return nil, false
	}
	writeJSON(w, http.StatusBadRequest, "application/json", gatewayError{Message: "could not read the request body"})
	return nil, false
}

// bearer returns the token of an "Authorization: Bearer …" header and
// whether there was one.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return "", false
	}
	return strings.TrimSpace(h[7:]), true
}

// origin is the project URL as the client addressed it.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// writeJSON sends v as JSON with the given status and content type.
func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		status, raw = http.StatusInternalServerError, []byte(`{"message":"unencodable response"}`)
	}
	writeRaw(w, status, contentType, raw)
}

func writeRaw(w http.ResponseWriter, status int, contentType string, raw []byte) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(raw) // the client may have gone; nothing to do about it
}
