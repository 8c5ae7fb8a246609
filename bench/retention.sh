#!/usr/bin/env bash
# Retention benchmark: forget --dry-run and prune --dry-run on a repository of N daily snapshots
# (default 1000), each in a cold JVM with the JVM options shell/rk gives those dry runs (quick:
# C1 only, serial collector, 256 MiB heap).
# The issue's target: each under 5 s. Prints seconds since JVM start, the operation's own
# seconds, heap used and peak RSS.
#   bench/retention.sh            N=1000
#   N=400 bench/retention.sh
# Needs: ./mvnw -o -q test-compile and ./mvnw -o -q dependency:build-classpath -Dmdep.outputFile=cp.txt
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000}
WORK=${WORK:-/tmp/bench/retention-$N}
QUICK=${QUICK:--XX:+UseSerialGC -Xmx256m -XX:MaxMetaspaceSize=192m -XX:TieredStopAtLevel=1}
CP="target/classes:target/test-classes:$(cat cp.txt)"
export RK_PASSWORD=bench
if [[ ! -f $WORK/repo/config ]]; then
  rm -rf "$WORK"; mkdir -p "$WORK"
  echo "creating $N snapshots in $WORK/repo ..." >&2
  java -XX:+UseSerialGC -Xmx448m -cp "$CP" io.restorekit.bench.RetentionBench create "$WORK/repo" "$WORK/data" "$N"
fi
for op in forget prune forget prune; do
  opts=$QUICK
  /usr/bin/time -f "  peak RSS %M KiB, wall %e s, cpu user %U s sys %S s" \
    java $opts -cp "$CP" io.restorekit.bench.RetentionBench "$op" "$WORK/repo"
done
