#!/usr/bin/env bash
# Retention benchmark: forget --dry-run and prune --dry-run on a repository of N daily snapshots
# (default 1000), each in a cold JVM with the heap and collector of shell/rk's quick commands.
# The issue's target: each under 5 s. Prints seconds since JVM start, the operation's own
# seconds, heap used and peak RSS.
#   bench/retention.sh            N=1000
#   N=400 bench/retention.sh
# Needs: ./mvnw -o -q test-compile and ./mvnw -o -q dependency:build-classpath -Dmdep.outputFile=cp.txt
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000}
WORK=${WORK:-/tmp/bench/retention-$N}
JAVA_OPTS=${JAVA_OPTS:--XX:+UseSerialGC -Xmx256m -XX:MaxMetaspaceSize=192m -XX:TieredStopAtLevel=1}
CP="target/classes:target/test-classes:$(cat cp.txt)"
export RK_PASSWORD=bench
RB=(java $JAVA_OPTS -cp "$CP" io.restorekit.bench.RetentionBench)
if [[ ! -f $WORK/repo/config ]]; then
  rm -rf "$WORK"; mkdir -p "$WORK"
  echo "creating $N snapshots in $WORK/repo ..." >&2
  java -XX:+UseSerialGC -Xmx448m -cp "$CP" io.restorekit.bench.RetentionBench create "$WORK/repo" "$WORK/data" "$N"
fi
for op in forget prune forget prune; do
  /usr/bin/time -f "  peak RSS %M KiB, wall %e s, cpu user %U s sys %S s" "${RB[@]}" "$op" "$WORK/repo"
done
