package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// checkOut refuses an output path the report could not be written to, so
// the mistake is a usage error before any traffic rather than a tool
// failure after the whole scan: its folder must exist and take a new file
// (the report is written to a temporary file there, then renamed), and the
// path must not be a folder itself. flag names the flag in messages.
func checkOut(flag, path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usageErr("%s %s: is a folder; name a file in it, like %s", flag, path, filepath.Join(path, "report.html"))
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usageErr("%s %s: the folder %s does not exist; create it first", flag, path, dir)
	case err != nil:
		return usageErr("%s %s: cannot use the folder %s: %v", flag, path, dir, pathProblem(err))
	case !st.IsDir():
		return usageErr("%s %s: %s is not a folder", flag, path, dir)
	}
	// Creating (and at once removing) a file as the writer will is the
	// only sure test: permissions, ACLs and read-only mounts all show.
	probe, err := os.CreateTemp(dir, "."+filepath.Base(path)+".check-*")
	if err != nil {
		return usageErr("%s %s: cannot write in the folder %s: %v", flag, path, dir, pathProblem(err))
	}
	name := probe.Name()
	if err := errors.Join(probe.Close(), os.Remove(name)); err != nil {
		return toolErr(fmt.Errorf("%s %s: removing the file made to test the folder: %w", flag, path, err))
	}
	return nil
}

// pathProblem is an OS error without the path it repeats.
func pathProblem(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
