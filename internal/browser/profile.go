package browser

import (
	"bytes"
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/chromedp/chromedp"
)

// profile is a browser's throwaway state: a HOME (with the NSS database that
// trusts the CA, and the XDG directories) and a user data directory, both
// under one root that is removed afterwards.
type profile struct {
	root, home, data string
}

// newProfile makes the directories and, when caFile is set, the NSS
// database that trusts it.
func newProfile(ctx context.Context, tempDir, caFile string) (*profile, error) {
	root, err := os.MkdirTemp(tempDir, "launchready-browser-")
	if err != nil {
		return nil, fmt.Errorf("browser profile: %w", err)
	}
	p := &profile{root: root, home: filepath.Join(root, "home"), data: filepath.Join(root, "profile")}
	for _, d := range []string{p.home, p.data} {
		if err := os.Mkdir(d, 0o700); err != nil {
			p.remove()
			return nil, fmt.Errorf("browser profile: %w", err)
		}
	}
	if caFile != "" {
		if err := trustCA(ctx, p.home, caFile); err != nil {
			p.remove()
			return nil, err
		}
	}
	return p, nil
}

// env is the environment Chromium gets on top of the scanner's: nothing it
// writes or reads as user configuration is outside the profile.
func (p *profile) env() []string {
	return []string{
		"HOME=" + p.home,
		"XDG_CONFIG_HOME=" + filepath.Join(p.home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(p.home, ".cache"),
		"XDG_DATA_HOME=" + filepath.Join(p.home, ".local", "share"),
	}
}

// remove kills every process still using the profile (Chromium's children
// can outlive the main process) and deletes the directories.
func (p *profile) remove() {
	killUsing(p.data)
	// A dying child can still create files for a moment: retry briefly.
	deadline := time.Now().Add(5 * time.Second)
	for os.RemoveAll(p.root) != nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
}

// trustCA creates an NSS database in home/.pki/nssdb, where Chromium on
// Linux looks for locally trusted roots, and adds each certificate of caFile
// as a trusted CA for TLS servers.
func trustCA(ctx context.Context, home, caFile string) error {
	certutil, err := exec.LookPath("certutil")
	if err != nil {
		return ErrNoCertutil
	}
	data, err := os.ReadFile(caFile)
	if err != nil {
		return fmt.Errorf("reading the CA file: %w", err)
	}
	certs := pemCertificates(data)
	if len(certs) == 0 {
		return fmt.Errorf("CA file %s: no PEM certificate found", caFile)
	}
	dir := filepath.Join(home, ".pki", "nssdb")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("NSS database: %w", err)
	}
	db := "sql:" + dir
	if err := run(ctx, certutil, "-d", db, "-N", "--empty-password"); err != nil {
		return err
	}
	for i, c := range certs {
		f := filepath.Join(home, fmt.Sprintf("ca-%d.pem", i))
		if err := os.WriteFile(f, c, 0o600); err != nil {
			return fmt.Errorf("NSS database: %w", err)
		}
		if err := run(ctx, certutil, "-d", db, "-A", "-t", "C,,", "-n", fmt.Sprintf("launchready-%d", i), "-i", f); err != nil {
			return err
		}
	}
	return nil
}

// pemCertificates returns each CERTIFICATE block re-encoded on its own:
// certutil -A reads only the first certificate of a file.
func pemCertificates(data []byte) [][]byte {
	var out [][]byte
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return out
		}
		if b.Type == "CERTIFICATE" {
			out = append(out, pem.EncodeToMemory(&pem.Block{Type: b.Type, Bytes: b.Bytes}))
		}
	}
}

func run(ctx context.Context, name string, args ...string) error {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", filepath.Base(name), strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// allocatorOptions are chromedp's defaults (headless, no first run, no
// background networking, extensions or sync) plus the fence: a resolver
// that knows only the mapped names, no proxy, no QUIC, no component
// updates, a profile of our own and a HOME that holds the trusted CA.
func allocatorOptions(exe, rules string, p *profile, out io.Writer) []chromedp.ExecAllocatorOption {
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(p.data),
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("host-resolver-rules", rules),
		chromedp.Env(p.env()...),
		chromedp.CombinedOutput(out),
	)
	if os.Geteuid() == 0 {
		// Chromium refuses to start as root with its sandbox on.
		opts = append(opts, chromedp.NoSandbox)
	}
	return opts
}

// proxiedRules is the resolver of a browser behind the proxy: it has
// nothing to resolve (the proxy resolves, pinned), so it resolves nothing.
const proxiedRules = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"

// proxyOptions send every request through the proxy, loopback included
// (<-loopback> removes Chromium's implicit bypass of localhost), keep
// WebRTC from sending UDP anywhere (there is no proxy for it), and accept
// the proxy's own certificates.
func proxyOptions(p *Proxy) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.Flag("no-proxy-server", false), // false drops the default flag
		chromedp.ProxyServer("http://" + p.Addr),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.Flag("force-webrtc-ip-handling-policy", "disable_non_proxied_udp"),
		chromedp.Flag("webrtc-ip-handling-policy", "disable_non_proxied_udp"),
		chromedp.Flag("ignore-certificate-errors-spki-list", p.SPKI),
		// chromedp's own list, and no DNS over HTTPS (a resolver of its own).
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,DnsOverHttps,NetworkTimeServiceQuerying,OptimizationHints,OptimizationHintsFetching,OptimizationGuideModelDownloading,MediaRouter,DialMediaRouteProvider,CertificateTransparencyComponentUpdater,AutofillServerCommunication"),
	}
}

// killUsing kills the processes whose command line names dir as their user
// data directory (Chromium passes it to every child), looking again until a
// few passes in a row find none.
func killUsing(dir string) {
	deadline := time.Now().Add(2 * time.Second)
	for quiet := 0; quiet < 3 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		pids := processesUsing(dir)
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL) // it may have exited meanwhile
		}
		if len(pids) == 0 {
			quiet++
		} else {
			quiet = 0
		}
	}
}

// processesUsing lists the processes whose command line mentions s, read
// from /proc (none where there is no /proc).
func processesUsing(s string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmdline, []byte(s)) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// tailBuffer keeps the last max bytes written to it; Chromium's output goes
// there so a failed start can say why.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

// Write implements io.Writer.
func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// String returns what was kept.
func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(bytes.TrimSpace(t.buf))
}
