#!/usr/bin/env bash
# bench/secrets.sh — `launchready secrets` against the gitleaks CLI on one
# generated git history.
#
# It generates a repository (thousands of commits of source in several
# languages on several branches, a handful of planted fake keys), builds the
# gitleaks CLI at the version launchready links (v8.30.1, from the Go module
# proxy) and launchready with the same build tags, runs both on the same
# history, checks they report the same findings, and prints wall time and
# peak RSS (GNU time -v) as ratios ours/theirs — for each build mode.
#
# Usage:  bench/secrets.sh            (defaults below)
#         SIZE_MB=300 COMMITS=8000 RUNS=3 MODES="gore2regex" bench/secrets.sh
# Needs:  git, go, python3, jq, GNU time (apt-get install -y time jq).
#
# Parameters (environment):
#   SIZE_MB   megabytes of added lines in the whole history, about (default 40)
#   COMMITS   commits, spread over main and a few branches        (default 3000)
#   RUNS      timed runs of each tool per mode; medians reported  (default 3)
#   MODES     build modes: "plain" (Go regexp), "gore2regex"      (default "plain gore2regex")
#   WORK      working folder, reused between runs                 (default /tmp/launchready-bench)
#   SEED      generator seed                                      (default 1)
set -euo pipefail

SIZE_MB=${SIZE_MB:-40}
COMMITS=${COMMITS:-3000}
RUNS=${RUNS:-3}
MODES=${MODES:-"plain gore2regex"}
WORK=${WORK:-/tmp/launchready-bench}
SEED=${SEED:-1}
GITLEAKS_VERSION=v8.30.1

here=$(cd "$(dirname "$0")/.." && pwd)
for tool in git go python3 jq /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is required (apt-get install -y time jq)" >&2; exit 2; }
done
mkdir -p "$WORK/bin" "$WORK/out"
repo="$WORK/repo-v2-${SIZE_MB}mb-${COMMITS}c-s${SEED}"

# ---------------------------------------------------------------- history
# The generator writes a git fast-import stream: realistic lines (functions,
# imports, comments, config) in JavaScript, TypeScript, Python, Go, Ruby,
# Java, CSS, SQL, YAML and Markdown; files grow and are edited in place so
# diffs have real hunks; branches fork off main. Fake keys are built here
# from random bodies, never stored in this repository.
generate() {
	rm -rf "$repo.tmp" && git init -q -b main "$repo.tmp"
	python3 - "$SIZE_MB" "$COMMITS" "$SEED" <<'PY' | git -C "$repo.tmp" fast-import --quiet
import base64, random, string, sys, time

size_mb, commits, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(seed)
target = size_mb * 1024 * 1024
per_commit = max(200, target // commits)
out = sys.stdout.buffer

words = ("user member invoice order payment plan session profile account team project report item cart price "
         "total amount status message notice event record entry list page view render update create delete fetch load "
         "save parse format build handle process compute validate normalize filter sort group merge split render").split()
def ident(n=2): return "".join(w.capitalize() if i else w for i, w in enumerate(rnd.choice(words) for i in range(n)))
def text(n=6): return " ".join(rnd.choice(words) for _ in range(n))
def num(): return str(rnd.randint(0, 5000))

langs = {
  "js":   lambda: rnd.choice([f"export function {ident()}({ident(1)}, {ident(1)}) {{", f"  const {ident()} = await {ident()}({ident(1)});",
            f"  if ({ident(1)}.{ident(1)} > {num()}) return {ident(1)};", f"// {text()}", "}", f"import {{ {ident()} }} from './{ident(1)}';",
            f"  {ident(1)}.push({{ id: {num()}, name: '{text(2)}' }});"]),
  "ts":   lambda: rnd.choice([f"export interface {ident().capitalize()} {{", f"  {ident(1)}: string;", f"  {ident(1)}?: number;",
            f"export const {ident()} = ({ident(1)}: {ident().capitalize()}): boolean => {ident(1)}.{ident(1)} !== undefined;", "}",
            f"/** {text(8)} */"]),
  "py":   lambda: rnd.choice([f"def {ident(1)}_{ident(1)}({ident(1)}, {ident(1)}=None):", f"    {ident(1)} = {ident(1)}.get('{ident(1)}', {num()})",
            f"    return [{ident(1)} for {ident(1)} in {ident(1)} if {ident(1)}]", f"# {text()}", f"class {ident().capitalize()}(object):",
            f"from .{ident(1)} import {ident(1)}_{ident(1)}"]),
  "go":   lambda: rnd.choice([f"func {ident().capitalize()}(ctx context.Context, {ident(1)} int) error {{", f"\tif err := {ident()}(ctx); err != nil {{",
            "\t\treturn err", "\t}", "}", f"// {ident().capitalize()} {text(7)}.", f"\t{ident(1)} := make(map[string]int, {num()})"]),
  "rb":   lambda: rnd.choice([f"  def {ident(1)}_{ident(1)}", f"    @{ident(1)} = {ident().capitalize()}.where({ident(1)}: {num()}).first", "  end",
            f"  # {text()}", f"class {ident().capitalize()} < ApplicationRecord"]),
  "java": lambda: rnd.choice([f"    public {ident().capitalize()} {ident()}(int {ident(1)}) {{", f"        return {ident(1)}.{ident()}({num()});", "    }",
            f"    // {text()}", f"    private final List<{ident().capitalize()}> {ident()} = new ArrayList<>();"]),
  "css":  lambda: rnd.choice([f".{ident(1)}-{ident(1)} {{", f"  margin: {num()}px {num()}px;", f"  color: #{rnd.randrange(16**6):06x};", "}",
            f"  /* {text(4)} */"]),
  "sql":  lambda: rnd.choice([f"SELECT {ident(1)}, {ident(1)} FROM {ident(1)}s WHERE {ident(1)}_id = {num()};",
            f"CREATE INDEX idx_{ident(1)} ON {ident(1)}s ({ident(1)});", f"-- {text()}"]),
  "yaml": lambda: rnd.choice([f"{ident(1)}:", f"  {ident(1)}: {num()}", f"  {ident(1)}: \"{text(3)}\"", f"  - {ident(1)}"]),
  "md":   lambda: rnd.choice([f"## {text(3).capitalize()}", text(12).capitalize() + ".", f"- {text(5)}", ""]),
}
dirs = ["src", "src/api", "src/components", "lib", "app/models", "server", "web/styles", "db/migrations", "config", "docs"]

def rand_body(n, alphabet=string.ascii_letters + string.digits):
    return "".join(rnd.choice(alphabet) for _ in range(n))
b64 = lambda s: base64.b64encode(s.encode()).decode()
plants = [
    ("config/stripe.js", lambda: f'export const stripeKey = "{"sk_" + "live_" + rand_body(32)}";'),
    ("src/api/github.ts", lambda: f'const token = "{"ghp_" + rand_body(36)}";'),
    ("server/slack.go", lambda: f'\tconst hook = "{"xoxb-" + str(rnd.randint(10**11, 10**12)) + "-" + str(rnd.randint(10**11, 10**12)) + "-" + rand_body(24)}"'),
    ("lib/aws.py", lambda: f'AWS_ACCESS_KEY_ID = "{"AKIA" + rand_body(16, string.ascii_uppercase + "234567")}"'),
    ("config/legacy.yaml", lambda: f'blob: "{b64("STRIPE_SECRET=" + "sk_" + "live_" + rand_body(30))}"'),
    ("app/models/mailer.rb", lambda: f'  SMTP_PASSWORD = "{rand_body(20)}"'),
]
plant_at = sorted(rnd.sample(range(commits // 10, commits), len(plants)))

files = {}        # path -> list of lines (content at the tip of main)
mark = 0
branch_tips = {}
def blob(data):
    global mark
    mark += 1
    out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n")
    return mark
def commit(ref, parent, changes, msg, when):
    global mark
    blobs = [(p, blob(d)) if d is not None else (p, None) for p, d in changes]
    mark += 1
    m = msg.encode()
    out.write(b"commit %s\nmark :%d\nauthor Bench <bench@example.com> %d +0000\ncommitter Bench <bench@example.com> %d +0000\ndata %d\n%s\n"
              % (ref.encode(), mark, when, when, len(m), m))
    if parent:
        out.write(b"from :%d\n" % parent)
    for p, b in blobs:
        out.write(b"M 100644 :%d %s\n" % (b, p.encode()) if b else b"D %s\n" % p.encode())
    out.write(b"\n")
    return mark

when, tip, added, p = int(time.time()) - commits * 600, None, 0, 0
for i in range(commits):
    changes, budget = [], per_commit
    nfiles = rnd.randint(1, 3)
    for _ in range(nfiles):
        if not files or rnd.random() < 0.15 or len(files) < 20:
            ext = rnd.choice(list(langs))
            path = f"{rnd.choice(dirs)}/{ident(2)}_{i}.{ext}"
            files[path] = []
        else:
            path = rnd.choice(list(files))
        ext, lines = path.rsplit(".", 1)[1], files[path]
        want = budget // nfiles
        while want > 0:
            # a block of lines (a function, a section) at one place, as
            # people write code: diffs get hunks of realistic size
            block = [langs[ext]() for _ in range(rnd.randint(3, 40))]
            pos = rnd.randint(0, len(lines))
            lines[pos:pos] = block
            n = sum(len(l) + 1 for l in block)
            want -= n
            added += n
        if len(lines) > 40 and rnd.random() < 0.3:
            del lines[rnd.randrange(len(lines))]
        if len(lines) > 3000:
            files[path] = lines = lines[-1500:]
        changes.append((path, ("\n".join(lines) + "\n").encode()))
    if p < len(plants) and i >= plant_at[p]:
        path, make = plants[p]
        files.setdefault(path, []).append(make())
        changes.append((path, ("\n".join(files[path]) + "\n").encode()))
        p += 1
    msg = f"{text(4)} (#{i})"
    if i > 50 and rnd.random() < 0.04:
        # a short-lived branch off main
        ref = f"refs/heads/feature/{ident(2)}-{i}"
        branch_tips[ref] = commit(ref, tip, changes, msg, when)
    else:
        tip = commit("refs/heads/main", tip, changes, msg, when)
    when += 600
# the .env on a side branch, committed then deleted
env = ("STRIPE_SECRET_KEY=" + "sk_" + "live_" + rand_body(32) + "\n").encode()
b1 = commit("refs/heads/old/env-leak", tip, [(".env", env)], "add env", when)
commit("refs/heads/old/env-leak", b1, [(".env", None)], "remove env", when + 60)
sys.stderr.write(f"generated {commits} commits, {added / 1048576:.0f} MiB of added lines, {len(branch_tips) + 1} side branches\n")
PY
	git -C "$repo.tmp" checkout -q main
	git -C "$repo.tmp" gc -q --prune=now
	mv "$repo.tmp" "$repo"
}
if [ ! -d "$repo" ]; then
	echo "bench: generating $repo (SIZE_MB=$SIZE_MB COMMITS=$COMMITS SEED=$SEED)" >&2
	generate
fi
echo "bench: history: $(git -C "$repo" rev-list --all --count) commits, $(git -C "$repo" for-each-ref refs/heads | wc -l) branches," \
	"$(git -C "$repo" count-objects -vH | awk '/size-pack/ {print $2 $3}') packed" >&2

# ---------------------------------------------------------------- builds
tags_of() { [ "$1" = plain ] && echo "" || echo "$1"; }
for mode in $MODES; do
	tags=$(tags_of "$mode")
	if [ ! -x "$WORK/bin/gitleaks-$mode/gitleaks" ]; then
		echo "bench: building gitleaks $GITLEAKS_VERSION ($mode)" >&2
		GOBIN="$WORK/bin/gitleaks-$mode" GOFLAGS=-buildvcs=false go install -tags "$tags" \
			"github.com/zricethezav/gitleaks/v8@$GITLEAKS_VERSION"
	fi
	echo "bench: building launchready ($mode)" >&2
	(cd "$here" && go build -tags "$tags" -o "$WORK/bin/launchready-$mode" ./cmd/launchready)
done

# ---------------------------------------------------------------- runs
# measure NAME CMD...: run under GNU time, keep "wall_seconds rss_kb".
measure() {
	local name=$1
	shift
	/usr/bin/time -v -o "$WORK/out/$name.time" "$@" >"$WORK/out/$name.stdout" 2>"$WORK/out/$name.stderr" || true
	awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; w=s}
		/Maximum resident set size/ {r=$2} END {printf "%.2f %d\n", w, r}' "$WORK/out/$name.time"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

status=0
printf '\n%-11s %10s %10s %7s %10s %10s %7s  %s\n' mode "ours s" "theirs s" ratio "ours MiB" "theirs MiB" ratio findings
for mode in $MODES; do
	ours_t=() ; theirs_t=() ; ours_r=() ; theirs_r=()
	for run in $(seq "$RUNS"); do
		# Alternate who goes first so the page cache favours neither.
		for who in $( [ $((run % 2)) = 1 ] && echo "theirs ours" || echo "ours theirs"); do
			if [ "$who" = theirs ]; then
				read -r t r < <(measure "theirs-$mode-$run" "$WORK/bin/gitleaks-$mode/gitleaks" git "$repo" --no-banner \
					--log-level error --redact --exit-code 0 --report-format json --report-path "$WORK/out/theirs-$mode.json")
				theirs_t+=("$t"); theirs_r+=("$r")
			else
				read -r t r < <(measure "ours-$mode-$run" "$WORK/bin/launchready-$mode" secrets "$repo" --no-color \
					--out "$WORK/out/ours-$mode.json")
				ours_t+=("$t"); ours_r+=("$r")
			fi
		done
	done
	# Same findings: gitleaks' commit:file:line against SEC-001's evidence.
	jq -r '.[] | "\(.Commit):\(.File):\(.StartLine)"' "$WORK/out/theirs-$mode.json" | sort -u >"$WORK/out/theirs-$mode.set"
	jq -r '.checks[] | select(.id == "SEC-001") | .evidence[] | select(.location) |
		"\(.location.commit):\(.location.file):\(.location.line)"' "$WORK/out/ours-$mode.json" | sort -u >"$WORK/out/ours-$mode.set"
	only_theirs=$(comm -23 "$WORK/out/theirs-$mode.set" "$WORK/out/ours-$mode.set" | wc -l)
	only_ours=$(comm -13 "$WORK/out/theirs-$mode.set" "$WORK/out/ours-$mode.set" | wc -l)
	same=$(comm -12 "$WORK/out/theirs-$mode.set" "$WORK/out/ours-$mode.set" | wc -l)
	verdict="same $same"
	if [ "$only_theirs$only_ours" != 00 ]; then
		verdict="DIFFERENT: $same same, $only_theirs only gitleaks, $only_ours only launchready (see $WORK/out/*-$mode.set)"
		status=1
	fi
	ot=$(printf '%s\n' "${ours_t[@]}" | median); tt=$(printf '%s\n' "${theirs_t[@]}" | median)
	orr=$(printf '%s\n' "${ours_r[@]}" | median); trr=$(printf '%s\n' "${theirs_r[@]}" | median)
	awk -v m="$mode" -v ot="$ot" -v tt="$tt" -v orr="$orr" -v trr="$trr" -v v="$verdict" 'BEGIN {
		printf "%-11s %10.2f %10.2f %7.2f %10.0f %10.0f %7.2f  %s\n", m, ot, tt, ot/tt, orr/1024, trr/1024, orr/trr, v }'
done
echo
echo "medians of $RUNS runs; ours = launchready secrets (SEC-001 history, SEC-002, SEC-006), theirs = gitleaks git; ratio = ours/theirs"
exit $status
