package report

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// reporterFor maps a lower-case file extension to its reporter, nil when
// none handles it.
func reporterFor(ext string) Reporter {
	switch ext {
	case ".json":
		return JSON{}
	case ".html", ".htm":
		return HTML{}
	case ".sarif":
		return SARIF{}
	case ".xml":
		return JUnit{}
	case ".md":
		return Markdown{}
	}
	return nil
}

// UnknownFormatError is returned by ForPath for an extension no reporter
// handles; the CLI turns it into a usage error (exit 2).
type UnknownFormatError struct {
	// Path is the --out value as given.
	Path string
	// Ext is its extension, as given ("" when there is none).
	Ext string
}

// Error names the path, the extension and the ones that work.
func (e *UnknownFormatError) Error() string {
	const use = "(use .json, .html, .sarif, .xml or .md)"
	if e.Ext == "" {
		return fmt.Sprintf("--out %s: no file extension to pick a format by %s", e.Path, use)
	}
	return fmt.Sprintf("--out %s: unknown format %q %s", e.Path, e.Ext, use)
}

// ForPath picks the reporter for a file by its extension, ignoring case:
// .json, .html/.htm, .sarif, .xml (JUnit) or .md.
func ForPath(path string) (Reporter, error) {
	ext := filepath.Ext(path)
	if rep := reporterFor(strings.ToLower(ext)); rep != nil {
		return rep, nil
	}
	return nil, &UnknownFormatError{Path: path, Ext: ext}
}

// WriteFile renders the run in the format chosen by path's extension and
// writes it atomically with mode 0600, readable by its owner only (a report
// quotes members' data: addresses, page contents, object names): rendered
// in memory first, written to a temporary file in the same directory,
// synced, then renamed over path. On any error nothing is left behind and
// an existing file is untouched.
func WriteFile(path string, r *Run) error {
	rep, err := ForPath(path)
	if err != nil {
		return err
	}
	return writeWith(path, rep, r)
}

// writeWith is WriteFile with the reporter chosen by the caller.
func writeWith(path string, rep Reporter, r *Run) error {
	var buf bytes.Buffer
	if err := rep.Write(&buf, r); err != nil {
		return fmt.Errorf("rendering %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := fill(tmp, buf.Bytes()); err != nil {
		return errors.Join(fmt.Errorf("writing %s: %w", path, err), os.Remove(tmp.Name()))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return errors.Join(fmt.Errorf("writing %s: %w", path, err), os.Remove(tmp.Name()))
	}
	return nil
}

// fill writes data to f, sets the report's mode, syncs and closes it; f is
// closed whatever happens.
func fill(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		// CreateTemp makes 0600 already; said again so a change of its
		// default can never widen a report.
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}
