#!/usr/bin/env bash
# Data-path benchmark: rk (DataPathBench, one operation per cold JVM) next to restic, on the
# same data in the same run, alternating which tool goes first. Prints a table of seconds
# (JVM start included), MB/s (10^6 B/s of source data) and peak RSS, with restic_s / rk_s.
#   bench/datapath.sh                  both data sets
#   SETS=uploads bench/datapath.sh     one
# Data comes from /work/shared/bench/gen-data.sh ($BENCH/data/{cctv,uploads}); 1 % rounds from mutate.sh.
# Needs: ./mvnw -o -q test-compile and ./mvnw -o -q dependency:build-classpath -Dmdep.outputFile=cp.txt
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=${BENCH:-/tmp/bench}
SETS=${SETS:-cctv uploads}
MUTATE=${MUTATE:-/work/shared/bench/mutate.sh}
ONE_FILE_uploads=${ONE_FILE_uploads:-tenant-16/invoices/2024/03/f93b41e6-6703.zip}
ONE_FILE_cctv=${ONE_FILE_cctv:-}
JAVA_OPTS=${JAVA_OPTS:--XX:+UseSerialGC -Xmx448m -XX:MaxMetaspaceSize=192m}  # as shell/rk for data commands
WORK=$BENCH/datapath
CP="target/classes:target/test-classes:$(cat cp.txt)"
export RK_PASSWORD=bench RESTIC_PASSWORD=bench
LOG=$WORK/log.txt
mkdir -p "$WORK"; : > "$LOG"

# run TOOL OP SET CMD...: times CMD, appends "tool op set seconds rss_kib" to the results
run() {
  local tool=$1 op=$2 set=$3; shift 3
  sync
  /usr/bin/time -o "$WORK/time" -f '%e %M' "$@" >>"$LOG" 2>"$WORK/err" \
    || { cat "$WORK/err" >&2; echo "FAILED: $tool $op $set" >&2; exit 1; }
  local t; t=$(tail -n1 "$WORK/time")
  echo "$tool $op $set $t" >> "$WORK/results"
  echo "$tool $op $set $t" >&2
}
RK=(java $JAVA_OPTS -cp "$CP" io.restorekit.bench.DataPathBench)

# both OP SET RKARGS -- RESTICARGS: alternates the order by a counter
n=0
both() {
  local op=$1 set=$2; shift 2
  local rkargs=() resticargs=()
  while [[ $1 != -- ]]; do rkargs+=("$1"); shift; done; shift
  resticargs=("$@")
  if (( n++ % 2 == 0 )); then
    run rk "$op" "$set" "${RK[@]}" "${rkargs[@]}"; run restic "$op" "$set" restic -q "${resticargs[@]}"
  else
    run restic "$op" "$set" restic -q "${resticargs[@]}"; run rk "$op" "$set" "${RK[@]}" "${rkargs[@]}"
  fi
}

: > "$WORK/results"
for set in $SETS; do
  data=$BENCH/data/$set
  rkrepo=$WORK/rk-$set; rsrepo=$WORK/restic-$set; out=$WORK/out
  rm -rf "$rkrepo" "$rsrepo" "$out"
  "$MUTATE" "$data" revert >/dev/null
  run rk init "$set" "${RK[@]}" init "$rkrepo"
  restic -q -r "$rsrepo" init >/dev/null
  both backup "$set" backup "$rkrepo" "$data" -- -r "$rsrepo" backup "$data"
  both rerun "$set" backup "$rkrepo" "$data" -- -r "$rsrepo" backup "$data"
  "$MUTATE" "$data" 1 >/dev/null
  both incr "$set" backup "$rkrepo" "$data" -- -r "$rsrepo" backup "$data"
  both restore "$set" restore "$rkrepo" "$out/rk" -- -r "$rsrepo" restore latest --target "$out/restic"
  rm -rf "$out"
  one=ONE_FILE_$set; one=${!one}
  if [[ -n $one ]]; then
    both restore-one "$set" restore "$rkrepo" "$out/rk" "$one" -- -r "$rsrepo" restore latest --target "$out/restic" --include "$data/$one"
    cmp "$data/$one" "$out/rk/$one"
    rm -rf "$out"
  fi
  both verify "$set" verify "$rkrepo" -- -r "$rsrepo" check --read-data
  "$MUTATE" "$data" revert >/dev/null
done

# Table: MB/s for first backup and full restore (source bytes of the set), seconds otherwise.
python3 - "$WORK/results" "$BENCH" <<'PY'
import sys, os, collections
res = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    tool, op, s, sec, rss = line.split()
    res[(op, s)][tool] = (float(sec), int(rss) / 1024)
def size(s):
    total = 0
    for d, _, fs in os.walk(os.path.join(sys.argv[2], "data", s)):
        for f in fs:
            total += os.path.getsize(os.path.join(d, f))
    return total
sizes = {}
print(f"{'operation':<20}{'rk s':>8}{'rk MB/s':>9}{'rk MiB':>8}{'restic s':>10}{'restic MB/s':>12}{'restic MiB':>11}{'restic/rk':>10}")
for (op, s), t in res.items():
    if 'restic' not in t:
        print(f"{op+' '+s:<20}{t['rk'][0]:>8.2f}{'':>9}{t['rk'][1]:>8.0f}")
        continue
    rate = op in ("backup", "restore", "verify")
    if rate and s not in sizes:
        sizes[s] = size(s)
    mb = lambda sec: f"{sizes[s] / sec / 1e6:.0f}" if rate else ""
    (rs, rm), (qs, qm) = t['rk'], t['restic']
    print(f"{op+' '+s:<20}{rs:>8.2f}{mb(rs):>9}{rm:>8.0f}{qs:>10.2f}{mb(qs):>12}{qm:>11.0f}{qs/rs:>10.2f}")
PY
