package secrets

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/zricethezav/gitleaks/v8/sources"
)

// Files is the outcome of scanning files on disk.
type Files struct {
	// Root is what was scanned, as labelled.
	Root string
	// Scanned counts the files scanned (binary files are not).
	Scanned int
	// Bytes counts the bytes scanned.
	Bytes int64
	// Skipped lists files that could not be scanned: too large,
	// unreadable, or a symbolic link out of the folder.
	Skipped []Skipped
	// Findings are every classified finding, secrets and not.
	Findings []Finding
}

// Skipped is a file left unscanned and why.
type Skipped struct {
	File string
	Why  string
}

// binarySniff is how much of a file is checked for NUL bytes, as git does.
const binarySniff = 8000

// fileJob is one file to scan: where it is and what to call it.
type fileJob struct{ full, label string }

// Uncommitted scans the files in repo's working tree that are not
// committed at HEAD: untracked files that .gitignore does not ignore, and
// added or modified ones. Committed content is History's; ignored files
// (a local .env) never leave the machine.
func (s *Scanner) Uncommitted(ctx context.Context, repo string) (*Files, error) {
	top, err := RepoRoot(ctx, repo)
	if err != nil {
		return nil, err
	}
	names, err := uncommitted(ctx, top)
	if err != nil {
		return nil, fmt.Errorf("listing uncommitted files in %s: %w", top, err)
	}
	res := &Files{Root: top}
	var jobs []fileJob
	for _, n := range names {
		full := filepath.Join(top, filepath.FromSlash(n))
		st, err := os.Lstat(full)
		if err != nil || !st.Mode().IsRegular() {
			// Deleted since, a symlink (git stores its target, not a
			// file), or a submodule: nothing of this tree to read.
			continue
		}
		jobs = append(jobs, fileJob{full: full, label: n})
	}
	return s.scanFiles(ctx, res, jobs)
}

// Path scans a file, or every file under a folder (build output, a CI
// log); reported paths start with label. Symbolic links are not followed
// out of the folder, .git folders are skipped, and a file over the size
// cap is listed in Skipped, never silently passed.
func (s *Scanner) Path(ctx context.Context, p, label string) (*Files, error) {
	root, err := filepath.EvalSymlinks(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	res := &Files{Root: label}
	if !st.IsDir() {
		return s.scanFiles(ctx, res, []fileJob{{full: root, label: label}})
	}
	jobs, skipped, err := walk(root, label)
	if err != nil {
		return nil, err
	}
	res.Skipped = skipped
	return s.scanFiles(ctx, res, jobs)
}

// walk lists the regular files under root, skipping .git folders and
// symbolic links (those pointing outside root are reported).
func walk(root, label string) ([]fileJob, []Skipped, error) {
	var jobs []fileJob
	var skipped []Skipped
	err := filepath.WalkDir(root, func(full string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, full)
		name := path.Join(label, filepath.ToSlash(rel))
		if err != nil {
			skipped = append(skipped, Skipped{File: name, Why: "unreadable: " + err.Error()})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir() && d.Name() == ".git":
			return fs.SkipDir
		case d.Type()&fs.ModeSymlink != 0:
			if !inside(root, full) {
				skipped = append(skipped, Skipped{File: name, Why: "symbolic link out of the folder, not followed"})
			}
		case d.Type().IsRegular():
			jobs = append(jobs, fileJob{full: full, label: name})
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("walking %s: %w", label, err)
	}
	return jobs, skipped, nil
}

// inside reports whether the symlink at link resolves to a path in root.
func inside(root, link string) bool {
	target, err := filepath.EvalSymlinks(link)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(root, target)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// scanFiles scans the jobs on a few workers, one detector for all.
func (s *Scanner) scanFiles(ctx context.Context, res *Files, jobs []fileJob) (*Files, error) {
	col := s.newCollector(s.detector(ctx))
	work := make(chan fileJob)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0)*2, max(len(jobs), 1)) {
		wg.Go(func() {
			for j := range work {
				scanned, skip := s.scanFile(ctx, col, j)
				mu.Lock()
				if scanned {
					res.Scanned++
				}
				if skip != "" {
					res.Skipped = append(res.Skipped, Skipped{File: j.label, Why: skip})
				}
				mu.Unlock()
			}
		})
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		work <- j
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("scanning %s: %w", res.Root, err)
	}
	res.Bytes, res.Findings = col.bytes.Load(), col.result()
	return res, nil
}

// scanFile reads and scans one file; it reports whether the file was
// scanned and, when it could not be, why.
func (s *Scanner) scanFile(ctx context.Context, col *collector, j fileJob) (bool, string) {
	data, err := readCapped(j.full, s.opts.MaxFileBytes)
	if err != nil {
		return false, err.Error()
	}
	if len(data) == 0 || bytes.IndexByte(data[:min(len(data), binarySniff)], 0) >= 0 {
		return false, ""
	}
	// A source map (*.map) is decoded and its sources scanned one by one.
	col.scan(ctx, sources.Fragment{Raw: string(data), FilePath: j.label, StartLine: 1})
	return true, ""
}

// readCapped reads a file of at most limit bytes. A larger file is an
// error, unless it is binary: then it is returned empty, as binary files
// are not scanned anyway.
func readCapped(full string, limit int64) ([]byte, error) {
	f, err := os.Open(full)
	if err != nil {
		return nil, fmt.Errorf("unreadable: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("unreadable: %w", err)
	}
	if int64(len(data)) > limit {
		if bytes.IndexByte(data[:min(len(data), binarySniff)], 0) >= 0 {
			return nil, nil
		}
		return nil, fmt.Errorf("a text file larger than %s, not scanned", humanBytes(limit))
	}
	return data, nil
}

// humanBytes formats a size for a message.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
