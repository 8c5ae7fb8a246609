#!/usr/bin/env bash
# JMH microbenchmarks of the hot paths (src/test/java/io/restorekit/bench/*Bench with @Benchmark):
# chunker, chunk ids, zstd (with and without the small files' dictionary), AES-GCM, pack writing,
# index lookups, the COPY text parser.
#
#   bench/jmh.sh                      all of them, short runs (1 fork, 2 warm-up and 3 measured iterations of 2 s)
#   bench/jmh.sh SealBench HashBench  only these (JMH regular expressions)
#   PROF=gc bench/jmh.sh              with allocation figures (-prof gc)
#   JMH_OPTS="-f 2 -i 5" bench/jmh.sh longer runs; any JMH option
#   JAVA=/path/to/java bench/jmh.sh   another JDK (default: the one shell/rk runs on)
#
# Results: bench/results/jmh.md (Markdown, with the machine's limits next to each figure) and jmh.csv.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=$HERE/results
mkdir -p "$OUT"
cd "$ROOT"

# The same JDK as the launcher: the newest >= 25 when installed, else the default java.
if [[ -z "${JAVA:-}" ]]; then
  JAVA=$(command -v java)
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$candidate/release" 2>/dev/null || true)
    if [[ -x "$candidate/bin/java" && -n "$v" && "$v" -ge 25 ]]; then JAVA=$candidate/bin/java; break; fi
  done
fi

./mvnw -o -q -B -DskipTests test-compile
./mvnw -o -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh.classpath >/dev/null
CP="target/test-classes:target/classes:$(cat target/jmh.classpath)"

benches=("$@")
[[ ${#benches[@]} -gt 0 ]] || benches=('io\.restorekit\.bench\..*Bench\.')
prof=()
[[ -n "${PROF:-}" ]] && prof=(-prof "$PROF")
# shellcheck disable=SC2206  # word splitting of JMH_OPTS is intended
"$JAVA" -Xmx2g -cp "$CP" org.openjdk.jmh.Main "${benches[@]}" "${prof[@]}" ${JMH_OPTS:-} \
  -rf csv -rff "$OUT/jmh.csv" | tee target/jmh.log

# Per-core limits of the 2-core project machine (../shared/bench/README.md), in MB/s.
limit() {
  case "$1" in
    SealBench.*) echo "AES-256-GCM 2500 MB/s" ;;
    HashBench.*) echo "SHA-256 1150 MB/s" ;;
    CompressionBench.compressText) echo "zstd -3 245 MB/s (compressible)" ;;
    PackBench.packWriter) echo "AES-GCM + SHA-256: 790 MB/s" ;;
    PackBench.saveBlobRandom) echo "HMAC + AES-GCM: 790 MB/s" ;;
    PackBench.saveBlobText) echo "HMAC + zstd + AES-GCM: ~190 MB/s" ;;
    *) echo "" ;;
  esac
}
{
  echo "| benchmark | unit | score | ± (99.9 %) | MB/s | machine limit per core |"
  echo "|---|---|---|---|---|---|"
  tail -n +2 "$OUT/jmh.csv" | while IFS=, read -r name mode threads samples score err unit rest; do
    name=${name//\"/}; name=${name#io.restorekit.bench.}; unit=${unit//\"/}
    case "$name" in
      *:*) unit=${name#*:}; name=${name%%:*}; mbs="" ;;   # -prof gc secondary figures
      IndexBench.*) unit="lookups/s"; mbs="" ;;
      *) unit="MiB/s"; mbs=$(printf '%.0f' "$(echo "$score * 1.048576" | bc -l)") ;;
    esac
    printf '| %s | %s | %.1f | %.1f | %s | %s |\n' "$name" "$unit" "$score" "$err" "$mbs" "$(limit "$name")"
  done
  echo
  echo "JMH 1.37, $("$JAVA" -version 2>&1 | head -1), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)),"
  echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end, $(date -u +%Y-%m-%d). One thread per benchmark: figures are per core."
} | tee "$OUT/jmh.md"
