#!/usr/bin/env bash
# restorekit against restic on the shared file data sets: bench/all.sh with TOOLS="rk restic" PG=0
# (kept for the habit; bench/all.sh is the suite). Every variable of bench/all.sh applies, e.g.
#   SCALE=0.1 RUNS=1 bench/run.sh
set -euo pipefail
TOOLS=${TOOLS:-rk restic} PG=${PG:-0} exec "$(dirname "$0")/all.sh" "$@"
