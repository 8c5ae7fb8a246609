#!/usr/bin/env bash
# Start-up bound commands, cold (page cache dropped before each), alternating: rk one-command runs
# without Spring ("new"), the same build with RK_DIRECT=off ("off"), another build's launcher (OLD,
# e.g. a copy of shell/rk next to target/restorekit.jar of the previous version) and restic. Needs
# a repository of each tool over D (first backups done); prints "label wall user sys load" lines.
# Mutations go to a private BENCH_MUT_DIR and are reverted at the end.
set -uo pipefail
W=${W:-/tmp/bench/start-w}; D=${D:-/tmp/bench/start-data/uploads}
export RK_HOME=$W/b-home RK_PASSWORD=bench-password RESTIC_PASSWORD=bench-password RK_CONFIG=$W/b-uploads.yml
export BENCH_MUT_DIR=/tmp/bench/start-mut
NEW=$(cd "$(dirname "$0")/.." && pwd)/shell/rk; OLD=${OLD:-/tmp/bench/start-before/shell/rk}; RR="restic -q -r $W/b-restic-uploads"
OUT=$W/times.txt
onefile=$(cd "$D" && find . -type f | sort | sed -n '100p' | sed 's|^\./||')
t() { # label cmd...
  local label=$1; shift
  sync; echo 3 > /proc/sys/vm/drop_caches
  local l=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "%e %U %S" -o $W/t.one "$@" >/dev/null 2>$W/t.err || { echo "FAILED $label"; cat $W/t.err; }
  echo "$label $(cat $W/t.one) load=$l" | tee -a $OUT
}
for round in 1 2 3; do
  for v in new off old; do
    case $v in new) R=$NEW; E=();; off) R=$NEW; E=(env RK_DIRECT=off);; old) R=$OLD; E=();; esac
    t "version:$v" "${E[@]}" $R version
    t "snapshots:$v" "${E[@]}" $R snapshots
    t "nochange:$v" "${E[@]}" $R backup
    rm -rf $W/r1; t "onefile:$v" "${E[@]}" $R restore --source uploads --file "$onefile" --target $W/r1 --yes
    cmp "$D/$onefile" "$W/r1/$onefile" || echo "ONEFILE MISMATCH $v"
  done
  t "snapshots:restic" $RR snapshots
  t "nochange:restic" $RR backup $D
  rm -rf $W/r2; t "onefile:restic" $RR restore latest --target $W/r2 --include "$D/$onefile"
done
for round in 1 2 3 4; do
  bash "$(cd "$(dirname "$0")/.." && pwd)/../shared/bench/mutate.sh" $D $round >/dev/null
  if (( round % 2 )); then t "incremental:new" $NEW backup; else t "incremental:off" env RK_DIRECT=off $NEW backup; fi
  t "incremental:restic" $RR backup $D
done
bash "$(cd "$(dirname "$0")/.." && pwd)/../shared/bench/mutate.sh" $D revert >/dev/null
