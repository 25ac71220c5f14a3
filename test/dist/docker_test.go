package dist_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestDockerBuild builds both images of the Dockerfile and runs them:
// `version` in the default image prints the VERSION given at build time,
// and the demo in the browser image drives Chromium (SESS-005 judged, not
// SKIP: the browser starts as the image's non-root user). It needs a
// Docker engine and pulls the base images, so it skips where `docker info`
// fails (this project's CI machines have the client but no engine) and
// under -short.
func TestDockerBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds two container images")
	}
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("no Docker engine: no docker client on PATH")
	}
	if _, err := exec.Command(docker, "info").Output(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Skipf("no Docker engine: docker info failed: %v: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
		t.Skipf("no Docker engine: docker info failed: %v", err)
	}
	root := repoRoot(t)
	const version = "v0.0.0-docker-test"
	tag := fmt.Sprintf("launchready-dist-test:%d", os.Getpid())
	browserTag := tag + "-browser"
	t.Cleanup(func() {
		// Images are the engine's, not the test's folder: remove them.
		_ = exec.Command(docker, "image", "rm", "--force", tag, browserTag).Run()
	})

	dockerRun(t, root, docker, "build", "--build-arg", "VERSION="+version, "--tag", tag, ".")
	out, code := dockerRun(t, root, docker, "run", "--rm", tag, "version")
	if want := "launchready " + version + "\n"; code != 0 || out != want {
		t.Errorf("docker run %s version: exit %d, %q; want exit 0, %q", tag, code, out, want)
	}

	dockerRun(t, root, docker, "build", "--build-arg", "VERSION="+version, "--target", "browser", "--tag", browserTag, ".")
	out, code = dockerRun(t, root, docker, "run", "--rm", browserTag, "demo", "--only", "SESS-005", "--no-color")
	if !strings.Contains(out, "SESS-005  FAIL") {
		t.Errorf("docker run %s demo --only SESS-005: exit %d; want the flawed demo's SESS-005 FAIL (Chromium ran), got:\n%s", browserTag, code, out)
	}
}

// dockerRun runs docker with args in dir and returns its output and exit
// code; a docker that could not start, or a failed build, fails the test.
func dockerRun(t *testing.T, dir, docker string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(docker, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee) && args[0] != "build":
		return out.String(), ee.ExitCode()
	case err != nil:
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String(), 0
}
