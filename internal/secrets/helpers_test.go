package secrets

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Every fake secret is built at test time from pieces and random bodies,
// so this repository never holds a string a secret scanner would flag.

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randBody returns n random letters and digits, never one that happens
// to start like a placeholder ("Fake…", "xxx…"), which classification
// rightly treats as harmless.
func randBody(t testing.TB, n int) string {
	t.Helper()
	for {
		if s := randChars(t, n); !isPlaceholder(s) {
			return s
		}
	}
}

// randChars returns n random letters and digits.
func randChars(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	for i := range b {
		v, err := rand.Int(rand.Reader, big.NewInt(int64(len(alnum))))
		if err != nil {
			t.Fatal(err)
		}
		b[i] = alnum[v.Int64()]
	}
	return string(b)
}

// fakeStripe returns a Stripe-shaped key: kind is "sk", "rk" or "pk",
// mode "live" or "test".
func fakeStripe(t testing.TB, kind, mode string) string {
	return kind + "_" + mode + "_" + randBody(t, 32)
}

// fakeSupabaseJWT returns a Supabase-style legacy API key: a JWT with the
// role claim, signed with a random secret.
func fakeSupabaseJWT(t testing.TB, role string) string {
	t.Helper()
	claims := jwt.MapClaims{
		"iss": "supabase", "ref": strings.ToLower(randBody(t, 20)), "role": role,
		"iat": time.Now().Unix(), "exp": time.Now().AddDate(10, 0, 0).Unix(),
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(randBody(t, 40)))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// fakeJWT returns a JWT with the given claims.
func fakeJWT(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(randBody(t, 40)))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// fakeDBURL returns a PostgreSQL URL with a random password on a remote
// host.
func fakeDBURL(t testing.TB) string {
	return "postgres" + "://app:" + randBody(t, 20) + "@db-" + strings.ToLower(randBody(t, 8)) + ".example.com:5432/app"
}

// fakePrivateKey returns a freshly generated PEM private key.
func fakePrivateKey(t testing.TB) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "EC " + "PRIVATE KEY", Bytes: der}))
}

// testRepo is a git repository built in a temporary folder.
type testRepo struct {
	t   testing.TB
	dir string
}

// newRepo makes an empty repository on branch main.
func newRepo(t testing.TB) *testRepo {
	t.Helper()
	r := &testRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

// git runs a git command in the repository and returns its output.
func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com", "GIT_CONFIG_NOSYSTEM=1", "HOME="+r.dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// write writes a file in the working tree.
func (r *testRepo) write(name, content string) {
	r.t.Helper()
	full := filepath.Join(r.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// commit stages everything and commits; it returns the commit's SHA.
func (r *testRepo) commit(msg string) string {
	r.t.Helper()
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

// newScanner returns a scanner or fails the test.
func newScanner(t testing.TB) *Scanner {
	t.Helper()
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
