#!/usr/bin/env bash
# S3 throughput: a backup of 'uploads' to an S3 server against the same backup to a local
# repository, and 'rk copy' of a local repository to S3 against the raw throughput of the slower
# side, in one run, alternating, medians of RUNS runs, page cache dropped before every command.
#
#   bench/s3.sh                       full-scale uploads ($BENCH/data/uploads), RUNS=3
#   SCALE=0.1 RUNS=1 bench/s3.sh      a small run (the data tree of bench/all.sh at that scale)
#   UPLOADS=/some/tree bench/s3.sh    that tree instead (not generated, not reverted)
#
# The S3 server is S3Proxy 4.1.0 (the jar the build copies to target/s3proxy/s3proxy.jar, else the
# one in the local Maven repository) in a child JVM on a free loopback port, with its filesystem
# backend under $WORK/s3 (default WORK=$BENCH/suite-s3; removed at the end unless KEEP=1),
# signatures checked (aws-v2-or-v4), as in the S3 tests.
#
# Measured:
#   backup local / backup S3   shell/rk backup (JVM start included), and the backup's own durationMs
#   local read                 cat of every file of the local repository (MB/s), caches dropped
#   S3 PUT                     the same files PUT by curl --aws-sigv4, PUTS_IN_FLIGHT (default 4, as
#                              many as rk copy) at once (MB/s): with the body's SHA-256 signed, as
#                              any client over plain HTTP (rk too) sends it, and UNSIGNED-PAYLOAD
#   copy                       shell/rk copy of the local repository to an empty S3 prefix (MB/s
#                              of repository bytes: the copy's own durationMs, and wall time)
# Targets (issue 6): S3 backup within 1.5x the local backup's time; copy at >= 80 % of the
# slower of local read and S3 PUT. Results: bench/results/s3.md.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
BENCH=${BENCH:-/tmp/bench}
SCALE=${SCALE:-1.0}
RUNS=${RUNS:-3}
PUTS_IN_FLIGHT=${PUTS_IN_FLIGHT:-4}
WORK=${WORK:-$BENCH/suite-s3}
OUT=${OUT:-$HERE/results}
RK="$ROOT/shell/rk"
die() { echo "bench/s3.sh: $*" >&2; exit 1; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, not '$RUNS'"
if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) == 1.0 else 1)" "$SCALE"; then
  DATA=$BENCH/data; export BENCH_MUT_DIR=${BENCH_MUT_DIR:-$BENCH/mutations}
else
  DATA=$BENCH/suite-data/s$SCALE; export BENCH_MUT_DIR=$BENCH/suite-data/mutations-s$SCALE
fi
JAR=$ROOT/target/s3proxy/s3proxy.jar
[ -f "$JAR" ] || JAR=$HOME/.m2/repository/org/gaul/s3proxy/4.1.0/s3proxy-4.1.0-jar-with-dependencies.jar
[ -f "$JAR" ] || die "no S3Proxy jar; run './mvnw -o generate-test-resources' (it copies it to target/s3proxy/)"
command -v curl >/dev/null || die "curl is needed for the raw PUT throughput"
[ -f "$ROOT/target/restorekit.jar" ] || (cd "$ROOT" && ./mvnw -q -B -DskipTests package)

S3PROXY_PID=
cleanup() {
  local rc=$?
  if [ -n "$S3PROXY_PID" ]; then kill "$S3PROXY_PID" 2>/dev/null || true; wait "$S3PROXY_PID" 2>/dev/null || true; fi
  [[ ${KEEP:-0} == 1 ]] || rm -rf "$WORK/s3" "$WORK/local" "$WORK/rk-home"
  ((rc == 0)) || echo "bench/s3.sh: FAILED (exit $rc); logs in $WORK" >&2
}
trap cleanup EXIT
rm -rf "$WORK"; mkdir -p "$WORK/s3/data/bench" "$WORK/local" "$OUT"
LOG=$WORK/log; : > "$LOG"; TIMES=$WORK/times; : > "$TIMES"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

if [ -n "${UPLOADS:-}" ]; then
  [ -d "$UPLOADS" ] || die "UPLOADS=$UPLOADS is not a folder"
else
  SCALE=$SCALE DATA=$DATA bash "$SHARED/gen-data.sh" >>"$LOG" 2>&1 || die "gen-data.sh failed; see $LOG"
  bash "$SHARED/mutate.sh" "$DATA/uploads" revert >/dev/null
  UPLOADS=$DATA/uploads
fi

# --- S3Proxy -------------------------------------------------------------------------------------
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export S3_KEY=rk-bench-identity S3_SECRET=rk-bench-credential
cat > "$WORK/s3/s3proxy.properties" <<P
s3proxy.endpoint=http://127.0.0.1:$PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_KEY
s3proxy.credential=$S3_SECRET
jclouds.provider=filesystem
jclouds.filesystem.basedir=$WORK/s3/data
P
java ${S3PROXY_OPTS:--Xmx512m -XX:+UseSerialGC} -Djava.io.tmpdir="$WORK/s3" -jar "$JAR" \
  --properties "$WORK/s3/s3proxy.properties" >"$WORK/s3proxy.log" 2>&1 &
S3PROXY_PID=$!
for _ in $(seq 1 600); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break
  kill -0 "$S3PROXY_PID" 2>/dev/null || die "S3Proxy exited; see $WORK/s3proxy.log"
  sleep 0.1
done
curl -s -o /dev/null "http://127.0.0.1:$PORT/" || die "S3Proxy did not answer on port $PORT; see $WORK/s3proxy.log"

export RK_PASSWORD=bench-password RK_NEW_PASSWORD=bench-password RK_HOME=$WORK/rk-home
s3_block() { # indented s3: block of a repository or copy
  cat <<Y
$1s3:
$1  endpoint: http://127.0.0.1:$PORT
$1  region: us-east-1
$1  path-style: true
$1  access-key-env: S3_KEY
$1  secret-key-env: S3_SECRET
Y
}
cfg() { # NAME URL [COPY_URL]: a configuration with 'uploads' as its source
  {
    echo "repository:"; echo "  url: $2"
    [[ $2 == s3://* ]] && s3_block "  "
    echo "sources:"; echo "  - name: uploads"; echo "    type: files"; echo "    path: $UPLOADS"
    if [ -n "${3:-}" ]; then
      echo "copies:"; echo "  - name: s3"; echo "    url: $3"; s3_block "    "
    fi
  } > "$WORK/$1.yml"
  echo "$WORK/$1.yml"
}
"$RK" version >/dev/null 2>&1 || true
"$RK" backup --help >/dev/null 2>&1 || true

drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }
# measure LABEL CMD...: "LABEL wall_seconds" to $TIMES, standard output in $WORK/last.out
measure() {
  local label=$1; shift
  drop_caches
  echo "== $label: $*" >> "$LOG"
  local t0 t1; t0=$(date +%s.%N)
  "$@" >"$WORK/last.out" 2>>"$LOG" || { tail -n 30 "$LOG" >&2; die "'$label' failed: $*"; }
  t1=$(date +%s.%N)
  echo "$label $(echo "$t1 - $t0" | bc)" | tee -a "$TIMES" >&2
}
json() { python3 -c "import json,sys; d=json.load(open('$WORK/last.out')); print($1)"; }

bytes=$(du -sb --apparent-size "$UPLOADS" | cut -f1)
for run in $(seq 1 "$RUNS"); do
  echo "--- run $run of $RUNS ---" >&2
  rm -rf "$WORK/local/repo" "$RK_HOME"
  local_cfg=$(cfg local "$WORK/local/repo" "s3://bench/copy-$run")
  s3_cfg=$(cfg s3 "s3://bench/backup-$run")
  RK_CONFIG=$local_cfg "$RK" init >>"$LOG" 2>&1
  RK_CONFIG=$s3_cfg "$RK" init >>"$LOG" 2>&1
  order="local s3"; ((run % 2 == 0)) && order="s3 local"
  for where in $order; do
    measure "backup:$where" env RK_CONFIG="$WORK/$where.yml" "$RK" backup --json
    echo "backup-inside:$where $(json "d['sources'][0]['summary']['durationMs'] / 1000")" >> "$TIMES"
  done
  repo_bytes=$(du -sb --apparent-size "$WORK/local/repo" | cut -f1)
  # raw throughput of both sides, then the copy (alternating which goes first)
  raw_read() { measure "read:local" bash -c 'find "$1" -type f -print0 | xargs -0 cat > /dev/null' _ "$WORK/local/repo"; }
  # signed: the x-amz-content-sha256 of each body, as every client over plain HTTP must send (the
  # server hashes the body to check it); unsigned: UNSIGNED-PAYLOAD, what HTTPS clients may send
  raw_put() {
    local mode
    for mode in signed unsigned; do
      measure "put:$mode" bash -c 'cd "$1" && find . -type f -printf "%P\0" | MODE=$5 xargs -0 -P "$2" -I{} bash -c '"'"'
        h=UNSIGNED-PAYLOAD; [ "$MODE" = signed ] && h=$(sha256sum "$1" | cut -c1-64)
        curl -sf -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_KEY:$S3_SECRET" -H "x-amz-content-sha256: $h" \
          -H "Content-Type: application/octet-stream" -T "$1" "$2/$1"'"'"' _ {} "http://127.0.0.1:$3/bench/raw-$4-$5"' \
        _ "$WORK/local/repo" "$PUTS_IN_FLIGHT" "$PORT" "$run" "$mode"
    done
  }
  do_copy() {
    measure "copy:wall" env RK_CONFIG="$local_cfg" "$RK" copy --json
    echo "copy-inside:s3 $(json "d['destinations'][0]['durationMs'] / 1000")" >> "$TIMES"
    echo "copy-bytes $(json "d['destinations'][0]['copiedBytes']")" >> "$TIMES"
  }
  if ((run % 2)); then raw_read; raw_put; do_copy; else do_copy; raw_put; raw_read; fi
  echo "repo-bytes $repo_bytes" >> "$TIMES"
  # the copy is a repository: restore one file from it with the primary out of the way
  rm -rf "$WORK/restored"
  one=$(cd "$UPLOADS" && find . -type f | sort | sed -n 100p | sed 's|^\./||')
  RK_CONFIG=$(cfg check "s3://bench/copy-$run") "$RK" restore --source uploads --file "$one" --target "$WORK/restored" --yes >>"$LOG" 2>&1 \
    || die "restore from the S3 copy failed; see $LOG"
  cmp "$UPLOADS/$one" "$WORK/restored/$one" || die "the file restored from the S3 copy differs"
  rm -rf "$WORK/s3/data/bench/raw-$run-signed" "$WORK/s3/data/bench/raw-$run-unsigned" "$WORK/s3/data/bench/backup-$run" "$WORK/s3/data/bench/copy-$run"
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

what="uploads at scale $SCALE"; [[ $UPLOADS == "$DATA/uploads" ]] || what="$UPLOADS"
python3 - "$TIMES" "$bytes" "$RUNS" "$LOAD_START" "$LOAD_END" "$PUTS_IN_FLIGHT" "$what" "$OUT/s3.md" <<'PY'
import sys, statistics, collections, datetime, os, platform
times, nbytes, runs, load0, load1, puts, what, out = sys.argv[1:]
nbytes = int(nbytes)
v = collections.defaultdict(list)
for line in open(times):
    k, x = line.split()
    v[k].append(float(x))
m = {k: statistics.median(x) for k, x in v.items()}
repo = m["repo-bytes"]
mbs = lambda b, s: b / s / 1e6
read, put = mbs(repo, m["read:local"]), mbs(repo, m["put:signed"])
unsigned = mbs(repo, m["put:unsigned"])
slower = min(read, put)
copy_in, copy_wall = mbs(m["copy-bytes"], m["copy-inside:s3"]), mbs(m["copy-bytes"], m["copy:wall"])
rows = [
    ("backup of uploads to a local repository (s, command line / inside)",
     f"{m['backup:local']:.2f} / {m['backup-inside:local']:.2f}", f"{mbs(nbytes, m['backup-inside:local']):.0f} MB/s inside", ""),
    ("backup of uploads to S3Proxy (s, command line / inside)",
     f"{m['backup:s3']:.2f} / {m['backup-inside:s3']:.2f}", f"{mbs(nbytes, m['backup-inside:s3']):.0f} MB/s inside",
     f"{m['backup:s3'] / m['backup:local']:.2f}× / {m['backup-inside:s3'] / m['backup-inside:local']:.2f}× of local "
     f"({'✓' if m['backup:s3'] <= 1.5 * m['backup:local'] else '✗'} target ≤ 1.5×)"),
    ("raw local read of the repository's files (cat)", f"{m['read:local']:.2f} s", f"{read:.0f} MB/s", ""),
    (f"raw S3 PUT of the same files (curl, {puts} at once, payload signed as over HTTP)", f"{m['put:signed']:.2f} s",
     f"{put:.0f} MB/s", "the slower side" if put <= read else ""),
    (f"raw S3 PUT, UNSIGNED-PAYLOAD (as HTTPS clients may; for reference)", f"{m['put:unsigned']:.2f} s",
     f"{unsigned:.0f} MB/s", f"rk copy inside at {copy_in / unsigned * 100:.0f} % of it"),
    ("rk copy local → S3 (s, command line / inside)", f"{m['copy:wall']:.2f} / {m['copy-inside:s3']:.2f}",
     f"{copy_wall:.0f} / {copy_in:.0f} MB/s",
     f"{copy_wall / slower * 100:.0f} % / {copy_in / slower * 100:.0f} % of the slower side "
     f"({'✓' if copy_in >= 0.8 * slower else '✗'} target ≥ 80 %)"),
]
lines = ["| measurement | time | throughput | against the target |", "|---|---|---|---|"]
lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
lines += ["", f"{what}: {nbytes / 1e6:.0f} MB of source, {repo / 1e6:.0f} MB in the repository. "
          f"Medians of {runs} run(s), page cache dropped before each command; 'inside' is the command's own "
          f"durationMs (no JVM start). S3Proxy 4.1.0 (filesystem backend, signatures checked) on the same machine.",
          f"{os.cpu_count()} cores ({cpu}), Linux {platform.release()}; load average {load0} at the start, "
          f"{load1} at the end; {datetime.datetime.utcnow():%Y-%m-%dT%H:%MZ}."]
text = "\n".join(lines) + "\n"
print(text)
open(out, "w").write(text)
PY
