#!/usr/bin/env bash
# Side-by-side benchmark of restorekit and restic on the shared data sets, measured in the same run.
#
#   bench/run.sh                  full scale (cctv 2.2 GB, uploads 1.6 GB)
#   SCALE=0.1 bench/run.sh        a small run
#   RUNS=3 bench/run.sh           medians of 3 runs per measurement (default 3)
#   DATASETS="uploads" bench/run.sh
#
# Data comes from ../shared/bench/gen-data.sh (BENCH, default /tmp/bench). restic is installed from
# Debian when absent. Results: bench/results/latest.md and latest.csv.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
BENCH=${BENCH:-/tmp/bench}
RUNS=${RUNS:-3}
DATASETS=${DATASETS:-"cctv uploads"}
WORK=$BENCH/work
OUT=$HERE/results
mkdir -p "$WORK" "$OUT"
export BENCH

command -v restic >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq restic; }
SCALE=${SCALE:-1.0} bash "$SHARED/gen-data.sh"

export RK_PASSWORD=bench-password RK_NEW_PASSWORD=bench-password RESTIC_PASSWORD=bench-password
export RK_HOME=$WORK/rk-home
RK="$ROOT/shell/rk"
[ -f "$ROOT/target/restorekit.jar" ] || (cd "$ROOT" && ./mvnw -q -B -DskipTests package)
# The launcher prepares a start-up archive per JIT mode on its first run after a build: do that
# now, outside the measurements (a listing command, and a data command).
"$RK" version >/dev/null 2>&1 || true
"$RK" backup --help >/dev/null 2>&1 || true

drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }

# time_cmd LABEL CMD... : runs CMD, appends "seconds maxrss_kib" for LABEL to $WORK/times
time_cmd() {
  local label=$1; shift
  drop_caches
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$WORK/rss" "$@" >/dev/null 2>"$WORK/last.err" || { cat "$WORK/last.err" >&2; echo "FAILED: $*" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$label $(echo "$t1 - $t0" | bc) $(cat "$WORK/rss")" >> "$WORK/times"
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
stat_of() { grep "^$1 " "$WORK/times" | awk '{print $2}' | median; }
rss_of() { grep "^$1 " "$WORK/times" | awk '{print $3}' | sort -n | tail -1; }

: > "$WORK/times"
for ds in $DATASETS; do
  data=$BENCH/data/$ds
  bytes=$(du -sb --apparent-size "$data" | cut -f1)
  echo "$ds $bytes" >> "$WORK/sizes"
  onefile=$(cd "$data" && find . -type f | sort | sed -n '100p' | sed 's|^\./||')
  for run in $(seq 1 "$RUNS"); do
    bash "$SHARED/mutate.sh" "$data" revert >/dev/null
    rkrepo=$WORK/rk-$ds; rrepo=$WORK/restic-$ds
    rm -rf "$rkrepo" "$rrepo" "$RK_HOME" "$WORK/restore"
    cat > "$WORK/rk-$ds.yml" <<YML
repository:
  url: $rkrepo
sources:
  - name: $ds
    type: files
    path: $data
YML
    export RK_CONFIG=$WORK/rk-$ds.yml
    "$RK" init >/dev/null
    restic init -q -r "$rrepo"

    # alternate the tools so that noise hits both alike
    time_cmd "rk:$ds:first" "$RK" backup
    time_cmd "restic:$ds:first" restic -q -r "$rrepo" backup "$data"
    time_cmd "restic:$ds:nochange" restic -q -r "$rrepo" backup "$data"
    time_cmd "rk:$ds:nochange" "$RK" backup
    bash "$SHARED/mutate.sh" "$data" "$run" >/dev/null
    time_cmd "rk:$ds:incremental" "$RK" backup
    time_cmd "restic:$ds:incremental" restic -q -r "$rrepo" backup "$data"

    rm -rf "$WORK/restore"; mkdir -p "$WORK/restore"
    time_cmd "restic:$ds:onefile" restic -q -r "$rrepo" restore latest --target "$WORK/restore/restic1" --include "$data/$onefile"
    time_cmd "rk:$ds:onefile" "$RK" restore --source "$ds" --file "$onefile" --target "$WORK/restore/rk1" --yes
    cmp "$data/$onefile" "$WORK/restore/rk1/$onefile"

    time_cmd "rk:$ds:restore" "$RK" restore --source "$ds" --target "$WORK/restore/rk" --yes
    rm -rf "$WORK/restore/rk"
    time_cmd "restic:$ds:restore" restic -q -r "$rrepo" restore latest --target "$WORK/restore/restic"
    rm -rf "$WORK/restore/restic"

    time_cmd "restic:$ds:check" restic -q -r "$rrepo" check --read-data
    time_cmd "rk:$ds:check" "$RK" verify --read-data
    echo "rk:$ds:size $(du -sb "$rkrepo" | cut -f1)" >> "$WORK/repo-sizes"
    echo "restic:$ds:size $(du -sb "$rrepo" | cut -f1)" >> "$WORK/repo-sizes"
    bash "$SHARED/mutate.sh" "$data" revert >/dev/null
  done
done

# table: operation | restorekit | restic | ratio (>1 means restorekit is better)
{
  echo "| data set | operation | restorekit | restic | restorekit vs restic |"
  echo "|---|---|---|---|---|"
  for ds in $DATASETS; do
    bytes=$(awk -v d="$ds" '$1==d {print $2; exit}' "$WORK/sizes")
    for op in first restore; do
      a=$(stat_of "rk:$ds:$op"); b=$(stat_of "restic:$ds:$op")
      printf '| %s | %s (MB/s) | %.0f | %.0f | %.2f× |\n' "$ds" "$op" \
        "$(echo "$bytes / $a / 1000000" | bc -l)" "$(echo "$bytes / $b / 1000000" | bc -l)" "$(echo "$b / $a" | bc -l)"
    done
    for op in nochange incremental onefile check; do
      a=$(stat_of "rk:$ds:$op"); b=$(stat_of "restic:$ds:$op")
      printf '| %s | %s (s) | %.2f | %.2f | %.2f× |\n' "$ds" "$op" "$a" "$b" "$(echo "$b / $a" | bc -l)"
    done
    a=$(grep "^rk:$ds:size " "$WORK/repo-sizes" | tail -1 | cut -d' ' -f2); b=$(grep "^restic:$ds:size " "$WORK/repo-sizes" | tail -1 | cut -d' ' -f2)
    printf '| %s | repository size (MB) | %.0f | %.0f | %.2f× |\n' "$ds" "$(echo "$a/1000000" | bc -l)" "$(echo "$b/1000000" | bc -l)" "$(echo "$b / $a" | bc -l)"
    a=$(rss_of "rk:$ds:first"); b=$(rss_of "restic:$ds:first")
    printf '| %s | peak memory, first backup (MiB) | %.0f | %.0f | %.2f× |\n' "$ds" "$(echo "$a/1024" | bc -l)" "$(echo "$b/1024" | bc -l)" "$(echo "$b / $a" | bc -l)"
  done
  echo
  echo "Medians of $RUNS runs, $(date -u +%Y-%m-%d), $(nproc) cores, $("$RK" version 2>/dev/null), restic $(restic version | cut -d' ' -f2)."
} | tee "$OUT/latest.md"
sed -e '1,2d' -e '/^$/,$d' -e 's/^| //' -e 's/ |$//' -e 's/ | /,/g' "$OUT/latest.md" > "$OUT/latest.csv"
