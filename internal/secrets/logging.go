package secrets

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"

	"github.com/rs/zerolog"
	"github.com/zricethezav/gitleaks/v8/logging"
)

// logs is where gitleaks' global logger writes once routeLogs has run. It
// has to be package state because gitleaks' logger is: each scan registers
// a sink for as long as it runs.
var logs = &logRouter{sinks: map[*logSink]struct{}{}}

// maxGitLines bounds the git error lines a scan keeps for its message.
const maxGitLines = 5

// routeLogs replaces gitleaks' logger, which writes coloured lines to
// stderr, with one that hands warnings and errors to the running scans.
// Debug and trace events are never built: gitleaks puts secret values and
// decoded segments in them.
func routeLogs() {
	logging.Logger = zerolog.New(logs).Level(zerolog.WarnLevel)
}

// logSink is one scan's share of the log: its own logger and the git
// errors seen while it ran.
type logSink struct {
	log *slog.Logger
	mu  sync.Mutex
	git []string
}

// gitLines returns the git error lines the sink collected.
func (s *logSink) gitLines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.git...)
}

// logRouter decodes gitleaks' JSON log events and passes them on.
type logRouter struct {
	mu    sync.Mutex
	sinks map[*logSink]struct{}
}

// register adds a sink for a scan; the caller unregisters it when done.
func (r *logRouter) register(l *slog.Logger) *logSink {
	s := &logSink{log: l}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sinks[s] = struct{}{}
	return s
}

func (r *logRouter) unregister(s *logSink) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.sinks, s)
}

// logEvent is the part of a gitleaks log event that is passed on: the
// message and error only, never the other fields (a "finding" field holds
// the secret).
type logEvent struct {
	Level   string `json:"level"`
	Message string `json:"message"`
	Error   string `json:"error"`
	Path    string `json:"path"`
}

// Write receives one zerolog event. gitleaks' events name neither the scan
// nor the repository, so every scan running at that moment sees them; git's
// own error lines ("[git] fatal: …") are kept for the failing scan's message.
func (r *logRouter) Write(p []byte) (int, error) {
	var ev logEvent
	if err := json.Unmarshal(p, &ev); err != nil {
		return len(p), nil
	}
	level := slog.LevelWarn
	if ev.Level == zerolog.ErrorLevel.String() || ev.Level == zerolog.FatalLevel.String() {
		level = slog.LevelError
	}
	attrs := []any{slog.String("source", "gitleaks")}
	if ev.Error != "" {
		attrs = append(attrs, slog.String("error", ev.Error))
	}
	if ev.Path != "" {
		attrs = append(attrs, slog.String("path", ev.Path))
	}
	gitLine, isGit := strings.CutPrefix(ev.Message, "[git] ")
	r.mu.Lock()
	defer r.mu.Unlock()
	for s := range r.sinks {
		if isGit {
			s.mu.Lock()
			if len(s.git) < maxGitLines {
				s.git = append(s.git, gitLine)
			}
			s.mu.Unlock()
		}
		if s.log != nil {
			s.log.Log(context.Background(), level, ev.Message, attrs...)
		}
	}
	return len(p), nil
}
