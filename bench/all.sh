#!/usr/bin/env bash
# The benchmark suite: restorekit next to restic, borg and a tar | zstd | openssl pipeline on the
# shared file data sets, and next to pg_dump / pg_restore on the shared 'saas' database, all in ONE
# run, alternating the tools, medians of RUNS runs, page cache dropped before every command.
#
#   bench/all.sh                                  full scale, RUNS=3, both data sets, all tools, PG=1
#   SCALE=0.1 RUNS=1 bench/all.sh                 a small run (own data and database, see below)
#   DATASETS=uploads TOOLS="rk restic" PG=0 bench/all.sh
#
# Environment:
#   SCALE      scale of ../shared/bench/gen-data.sh (default 1.0). SCALE=1 uses $BENCH/data (shared
#              with the other scripts); other scales get their own tree, $BENCH/suite-data/s$SCALE.
#   RUNS       runs per measurement; the table gives medians (default 3)
#   DATASETS   file data sets (default "cctv uploads"); empty for none
#   TOOLS      file tools (default "rk restic borg tar"); missing restic/borg are installed from Debian
#   PG         1: the saas rows (default 1); DB_SCALE (default SCALE) scales gen-db.sh. At DB_SCALE=1
#              the local PostgreSQL 15 cluster 15/main on port 5432 is used (as bench/pg.sh does);
#              at other scales a cluster of its own, 15/suite on PG_PORT (default 5433) in $BENCH/suite-pg, so that
#              the shared full-scale 'saas' is not replaced.
#   BENCH      base folder (default /tmp/bench); work files in $BENCH/suite-work (removed at the
#              end unless KEEP=1)
#
# Per file data set and tool, each run: init; first backup; no-change re-run; a 1 % round of
# ../shared/bench/mutate.sh and a backup of it (incremental); restore of one file from the
# command line (a cold process) and, for restorekit, inside one shell process (shell/rk @FILE
# runs a script: 'snapshots' opens the repository, then 'restore --file ... --json'; the figure
# is that restore's own durationMs); full restore; read-all-data verify; repository size (after the
# first backup); peak RSS
# (the largest of all the tool's commands). Tools, each with its defaults:
#   rk      shell/rk backup / restore / verify --read-data (JVM start included)
#   restic  restic backup / restore latest [--include] / check --read-data
#   borg    borg create / extract [PATH] / check --verify-data (repokey encryption)
#   tar     tar -c | zstd -3 -T0 | openssl enc -aes-256-ctr -pbkdf2 > archive; restore = decrypt +
#           extract (one file: extract one member); verify = decrypt | zstd -t; no incremental form
# saas (PG=1), each run: rk backup vs pg_dump -Fc and pg_dump -Fd -j 2; rk restore into a new
# database vs pg_restore -j 2 of the -Fc dump into a new database; rk restore --tenant 7 into a
# new database (its rows checked against the source by digest) vs that same pg_restore -j 2
# (pg_dump has no tenant filter). The sources use 'jobs: 2'.
#
# Output: one table (restorekit's value, each peer's value with restorekit/peer and a mark
# whether restorekit is at or ahead: higher is better for MB/s, lower for seconds, MB and MiB),
# written to bench/results/latest.md, and bench/results/latest.csv (one line per measurement
# pair), with the machine (cores, RAM, kernel, JDK, tool versions) and the load average.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
BENCH=${BENCH:-/tmp/bench}
SCALE=${SCALE:-1.0}
RUNS=${RUNS:-3}
DATASETS=${DATASETS-cctv uploads}
TOOLS=${TOOLS:-rk restic borg tar}
PG=${PG:-1}
DB_SCALE=${DB_SCALE:-$SCALE}
WORK=${WORK:-$BENCH/suite-work}
OUT=${OUT:-$HERE/results}
RK="$ROOT/shell/rk"

die() { echo "bench/all.sh: $*" >&2; exit 1; }
is_one() { python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) == 1.0 else 1)" "$1"; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, not '$RUNS'"
for t in $TOOLS; do case $t in rk|restic|borg|tar) ;; *) die "unknown tool '$t' in TOOLS (rk restic borg tar)";; esac; done
for d in $DATASETS; do case $d in cctv|uploads) ;; *) die "unknown data set '$d' in DATASETS (cctv uploads)";; esac; done
[[ " $TOOLS " == *" rk "* ]] || die "TOOLS must include rk: every figure is restorekit's against a peer"
[ -d "$SHARED" ] || die "the shared data generators are not at $SHARED; set SHARED"

if is_one "$SCALE"; then
  DATA=$BENCH/data; export BENCH_MUT_DIR=${BENCH_MUT_DIR:-$BENCH/mutations}
else
  DATA=$BENCH/suite-data/s$SCALE; export BENCH_MUT_DIR=$BENCH/suite-data/mutations-s$SCALE
fi

# --- tools --------------------------------------------------------------------------------------
need_pkgs=()
command -v bc >/dev/null || need_pkgs+=(bc)
[ -x /usr/bin/time ] || need_pkgs+=(time)
command -v zstd >/dev/null || need_pkgs+=(zstd)
[[ " $TOOLS " == *" restic "* ]] && ! command -v restic >/dev/null && need_pkgs+=(restic)
[[ " $TOOLS " == *" borg "* ]] && ! command -v borg >/dev/null && need_pkgs+=(borgbackup)
if ((${#need_pkgs[@]})); then
  echo "installing ${need_pkgs[*]} from Debian ..." >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}"; } >/dev/null \
    || die "could not install ${need_pkgs[*]}; install them, or leave the tool out of TOOLS"
fi

cleanup() {
  local rc=$?
  [[ ${KEEP:-0} == 1 ]] || rm -rf "$WORK/t" "$WORK/restore"
  [[ -n ${DATA_MUTATED:-} ]] && bash "$SHARED/mutate.sh" "$DATA_MUTATED" revert >/dev/null 2>&1 || true
  [[ -n ${STOP_CLUSTER:-} ]] && pg_ctlcluster 15 "$STOP_CLUSTER" stop >/dev/null 2>&1 || true
  ((rc == 0)) || echo "bench/all.sh: FAILED (exit $rc); logs in $WORK (last.err, log)" >&2
}
trap cleanup EXIT
rm -rf "$WORK"; mkdir -p "$WORK/t" "$OUT"
LOG=$WORK/log; : > "$LOG"
TIMES=$WORK/times; : > "$TIMES"
SIZES=$WORK/sizes; : > "$SIZES"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

[ -f "$ROOT/target/restorekit.jar" ] || (cd "$ROOT" && ./mvnw -q -B -DskipTests package)
export RK_PASSWORD=bench-password RK_NEW_PASSWORD=bench-password RESTIC_PASSWORD=bench-password
export BORG_PASSPHRASE=bench-password BORG_RELOCATED_REPO_ACCESS_IS_OK=yes BORG_BASE_DIR=$WORK/t/borg-base
export RESTIC_CACHE_DIR=$WORK/t/restic-cache TAR_PASSWORD=bench-password
export RK_HOME=$WORK/t/rk-home
# The launcher prepares its start-up archive once per build and JIT mode: not measured.
"$RK" version >/dev/null 2>&1 || true
"$RK" backup --help >/dev/null 2>&1 || true

drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }
CACHES_DROPPED=no; { sync; echo 3 > /proc/sys/vm/drop_caches; } 2>/dev/null && CACHES_DROPPED=yes

# measure LABEL CMD...: runs CMD with the page cache dropped; appends "LABEL seconds maxrss_kib"
# to $TIMES; its standard output goes to $WORK/last.out.
measure() {
  local label=$1; shift
  drop_caches
  local t0 t1
  echo "== $label: $*" >> "$LOG"
  t0=$(date +%s.%N)
  if ! /usr/bin/time -f '%M' -o "$WORK/rss" "$@" >"$WORK/last.out" 2>"$WORK/last.err"; then
    tail -n 30 "$WORK/last.out" "$WORK/last.err" >&2
    die "'$label' failed: $*"
  fi
  t1=$(date +%s.%N)
  cat "$WORK/last.err" >> "$LOG"
  echo "$label $(echo "$t1 - $t0" | bc) $(tail -n1 "$WORK/rss")" | tee -a "$TIMES" >&2
}
record() { echo "$1 $2 0" | tee -a "$TIMES" >&2; }  # a value measured otherwise (seconds)
# inside LABEL: records LABEL-inside, the shallowest durationMs in rk's --json output (seconds)
inside() {
  local s
  s=$(python3 -c 'import json, sys
level = [json.load(open(sys.argv[1]))]
while level:
    for d in level:
        if isinstance(d, dict) and "durationMs" in d:
            print(d["durationMs"] / 1000); sys.exit(0)
    level = [v for d in level for v in (d.values() if isinstance(d, dict) else d if isinstance(d, list) else [])]
sys.exit(1)' "$WORK/last.out") || die "no durationMs in the output of $1"
  record "$1-inside" "$s"
}

# rotate N WORDS...: the words rotated left by N, so that no tool always goes first
rotate() { local n=$1; shift; local a=("$@") k=${#a[@]} i; for ((i = 0; i < k; i++)); do printf '%s ' "${a[(i + n) % k]}"; done; }

# --- file tools: init/backup/onefile/restore/verify per tool --------------------------------------
repo_of() { echo "$WORK/t/$1-$2"; }
rk_cfg() { # ds
  cat > "$WORK/t/rk-$1.yml" <<YML
repository:
  url: $(repo_of rk "$1")
sources:
  - name: $1
    type: files
    path: $DATA/$1
YML
  echo "$WORK/t/rk-$1.yml"
}
tool_init() { # tool ds
  local repo; repo=$(repo_of "$1" "$2"); rm -rf "$repo"
  case $1 in
    rk) RK_CONFIG=$(rk_cfg "$2") "$RK" init >>"$LOG" 2>&1
        # the launcher makes a start-up cache once per build and set of JVM options (which depend
        # on the command and the configuration): made here, untimed, not in a measured command
        for c in "backup --help" "restore --help" "verify --read-data --help"; do
          # shellcheck disable=SC2086
          RK_CONFIG="$WORK/t/rk-$2.yml" "$RK" $c >/dev/null 2>&1 || true
        done ;;
    restic) restic -q -r "$repo" init >>"$LOG" 2>&1 ;;
    borg) borg init -e repokey "$repo" >>"$LOG" 2>&1 ;;
    tar) mkdir -p "$repo" ;;
  esac
}
# tool_cmd TOOL OP DS [ARG]: prints nothing, runs nothing: sets CMD to the command line
tool_cmd() {
  local tool=$1 op=$2 ds=$3 arg=${4:-} repo data=$DATA/$3
  repo=$(repo_of "$tool" "$ds")
  case $tool:$op in
    rk:backup) CMD=(env RK_CONFIG="$WORK/t/rk-$ds.yml" "$RK" backup --json) ;;
    rk:onefile) CMD=(env RK_CONFIG="$WORK/t/rk-$ds.yml" "$RK" restore --source "$ds" --file "$ONEFILE" --target "$arg" --yes --json) ;;
    rk:restore) CMD=(env RK_CONFIG="$WORK/t/rk-$ds.yml" "$RK" restore --source "$ds" --target "$arg" --yes --json) ;;
    rk:verify) CMD=(env RK_CONFIG="$WORK/t/rk-$ds.yml" "$RK" verify --read-data --json) ;;
    restic:backup) CMD=(restic -q -r "$repo" backup "$data") ;;
    restic:onefile) CMD=(restic -q -r "$repo" restore latest --target "$arg" --include "$data/$ONEFILE") ;;
    restic:restore) CMD=(restic -q -r "$repo" restore latest --target "$arg") ;;
    restic:verify) CMD=(restic -q -r "$repo" check --read-data) ;;
    borg:backup) BORG_N=$((BORG_N + 1)); CMD=(bash -c 'cd "$1" && borg create "$2::a$3" .' _ "$data" "$repo" "$BORG_N") ;;
    borg:onefile) CMD=(bash -c 'mkdir -p "$1" && cd "$1" && borg extract "$2::a$3" "$4"' _ "$arg" "$repo" "$BORG_N" "$ONEFILE") ;;
    borg:restore) CMD=(bash -c 'mkdir -p "$1" && cd "$1" && borg extract "$2::a$3"' _ "$arg" "$repo" "$BORG_N") ;;
    borg:verify) CMD=(borg check --verify-data "$repo") ;;
    tar:backup) CMD=(bash -c 'set -o pipefail; tar -C "$1" -cf - . | zstd -3 -T0 -q | openssl enc -aes-256-ctr -pbkdf2 -pass env:TAR_PASSWORD -out "$2/archive.tar.zst.enc"' _ "$data" "$repo") ;;
    tar:onefile) CMD=(bash -c 'set -o pipefail; mkdir -p "$1" && openssl enc -d -aes-256-ctr -pbkdf2 -pass env:TAR_PASSWORD -in "$2/archive.tar.zst.enc" | zstd -d -q | tar -C "$1" -xf - "./$3"' _ "$arg" "$repo" "$ONEFILE") ;;
    tar:restore) CMD=(bash -c 'set -o pipefail; mkdir -p "$1" && openssl enc -d -aes-256-ctr -pbkdf2 -pass env:TAR_PASSWORD -in "$2/archive.tar.zst.enc" | zstd -d -q | tar -C "$1" -xf -' _ "$arg" "$repo") ;;
    tar:verify) CMD=(bash -c 'set -o pipefail; openssl enc -d -aes-256-ctr -pbkdf2 -pass env:TAR_PASSWORD -in "$1/archive.tar.zst.enc" | zstd -t -q' _ "$repo") ;;
    *) return 1 ;;
  esac
}
# run_op OP DS TOOL...: the operation for each tool that has it
run_op() {
  local op=$1 ds=$2 tool; shift 2
  for tool in "$@"; do
    if [[ $tool == tar && ($op == nochange || $op == incremental) ]]; then continue; fi
    local target="$WORK/restore/$tool-$op"
    case $op in
      first|nochange|incremental) tool_cmd "$tool" backup "$ds" ;;
      onefile|restore) rm -rf "$target"; mkdir -p "$target"; tool_cmd "$tool" "$op" "$ds" "$target" ;;
      verify) tool_cmd "$tool" verify "$ds" ;;
    esac
    measure "$tool:$ds:$op" "${CMD[@]}"
    if [[ $tool == rk ]]; then inside "rk:$ds:$op"; fi
    case $op in
      onefile) cmp "$DATA/$ds/$ONEFILE" "$target/$([[ $tool == restic ]] && echo "${DATA#/}/$ds/")$ONEFILE" \
                 || die "$tool restored $ONEFILE wrongly" ;;
      restore) local got="$target"; [[ $tool == restic ]] && got="$target/${DATA#/}/$ds"
               diff -r -q "$DATA/$ds" "$got" >/dev/null || die "$tool's full restore of $ds differs from the data"
               rm -rf "$target" ;;
    esac
  done
}
# rk inside one shell process: the restore's own durationMs (seconds), after 'snapshots'
rk_in_shell() { # ds
  local ds=$1 target="$WORK/restore/rk-shell" script="$WORK/t/onefile.rk"
  rm -rf "$target"
  printf 'snapshots --source %s\nrestore --source %s --file %s --target %s --yes --json\n' \
    "$ds" "$ds" "$ONEFILE" "$target" > "$script"
  drop_caches
  RK_CONFIG="$WORK/t/rk-$ds.yml" "$RK" "@$script" > "$WORK/last.out" 2>"$WORK/last.err" \
    || { cat "$WORK/last.out" "$WORK/last.err" >&2; die "rk @$script failed"; }
  cmp "$DATA/$ds/$ONEFILE" "$target/$ONEFILE" || die "rk restored $ONEFILE wrongly inside the shell"
  local ms; ms=$(grep -o '"durationMs" : [0-9]*' "$WORK/last.out" | tail -n1 | grep -o '[0-9]*$') \
    || die "no durationMs in the output of rk @$script"
  record "rk:$ds:inshell" "$(echo "$ms / 1000" | bc -l)"
}

if [ -n "$DATASETS" ]; then
  SCALE=$SCALE DATA=$DATA bash "$SHARED/gen-data.sh" >>"$LOG" 2>&1 || die "gen-data.sh failed; see $LOG"
fi
for ds in $DATASETS; do
  data=$DATA/$ds
  echo "$ds $(du -sb --apparent-size "$data" | cut -f1) $(find "$data" -type f | wc -l)" >> "$WORK/datasets"
  # the 100th file in name order (the middle one of a smaller set)
  nfiles=$(find "$data" -type f | wc -l); ((nfiles > 0)) || die "$data holds no file"
  pick=$((nfiles >= 200 ? 100 : (nfiles + 1) / 2))
  ONEFILE=$(cd "$data" && find . -type f | sort | sed -n "${pick}p" | sed 's|^\./||')
  for run in $(seq 1 "$RUNS"); do
    echo "--- $ds, run $run of $RUNS ---" >&2
    bash "$SHARED/mutate.sh" "$data" revert >/dev/null
    rm -rf "$WORK/t" "$WORK/restore"; mkdir -p "$WORK/t" "$WORK/restore"
    BORG_N=0
    for tool in $TOOLS; do tool_init "$tool" "$ds"; done
    # shellcheck disable=SC2046
    run_op first "$ds" $(rotate "$run" $TOOLS)
    # the size of what the first backup stored: the same content for every tool (the tar archive
    # holds exactly one copy of the data; measured later, the repositories would hold a second
    # snapshot with the 1 % round as well)
    for tool in $TOOLS; do echo "$tool:$ds:size $(du -sb "$(repo_of "$tool" "$ds")" | cut -f1)" >> "$SIZES"; done
    run_op nochange "$ds" $(rotate $((run + 1)) $TOOLS)
    DATA_MUTATED=$data; bash "$SHARED/mutate.sh" "$data" "$run" >/dev/null
    run_op incremental "$ds" $(rotate $((run + 2)) $TOOLS)
    # the tar archive holds the pristine data: its one-file and full restores compare against that
    bash "$SHARED/mutate.sh" "$data" revert >/dev/null; DATA_MUTATED=
    [[ " $TOOLS " == *" tar "* ]] && run_op onefile "$ds" tar
    bash "$SHARED/mutate.sh" "$data" "$run" >/dev/null; DATA_MUTATED=$data
    run_op onefile "$ds" $(rotate $((run + 3)) $(echo " $TOOLS " | sed 's/ tar / /'))
    rk_in_shell "$ds"
    bash "$SHARED/mutate.sh" "$data" revert >/dev/null; DATA_MUTATED=
    [[ " $TOOLS " == *" tar "* ]] && run_op restore "$ds" tar
    bash "$SHARED/mutate.sh" "$data" "$run" >/dev/null; DATA_MUTATED=$data
    run_op restore "$ds" $(rotate $((run + 4)) $(echo " $TOOLS " | sed 's/ tar / /'))
    run_op verify "$ds" $(rotate $((run + 5)) $TOOLS)
    bash "$SHARED/mutate.sh" "$data" revert >/dev/null; DATA_MUTATED=
  done
done

# --- saas ---------------------------------------------------------------------------------------
if [[ $PG == 1 ]]; then
  if is_one "$DB_SCALE"; then
    PG_PORT=${PG_PORT:-5432}; PG_CLUSTER=main
  else
    PG_PORT=${PG_PORT:-5433}; PG_CLUSTER=suite
  fi
  export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=bench PGPASSWORD=bench BENCH_DB_PASSWORD=bench \
    PGOPTIONS="-c client_min_messages=warning"
  if ! command -v pg_ctlcluster >/dev/null || ! command -v pg_restore >/dev/null || [ ! -d /usr/lib/postgresql/15 ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-client-15; } >/dev/null \
      || die "could not install PostgreSQL 15; install it, or run with PG=0"
  fi
  if ! pg_lsclusters -h | awk -v c="$PG_CLUSTER" '$1==15 && $2==c' | grep -q .; then
    [[ $PG_CLUSTER == suite ]] || die "PostgreSQL cluster 15/main is missing; create it (pg_createcluster 15 main)"
    pg_createcluster 15 suite -p "$PG_PORT" -d "$BENCH/suite-pg" >>"$LOG" 2>&1 \
      || die "could not create the cluster 15/suite on port $PG_PORT in $BENCH/suite-pg"
  fi
  if ! pg_lsclusters -h | awk -v c="$PG_CLUSTER" '$1==15 && $2==c' | grep -q online; then
    pg_ctlcluster 15 "$PG_CLUSTER" start
    # a cluster of its own is stopped again at the end (its data stays for the next run)
    if [[ $PG_CLUSTER == suite ]]; then STOP_CLUSTER=suite; fi
  fi
  if ! psql -X -d postgres -c 'select 1' >/dev/null 2>&1; then
    env -u PGHOST -u PGUSER -u PGPASSWORD su postgres -c \
      "psql -X -q -p $PG_PORT -c \"create role bench superuser login password 'bench'\"" >>"$LOG" 2>&1 \
      || die "cannot reach PostgreSQL on 127.0.0.1:$PG_PORT as bench, nor create the role"
  fi
  PSQL="psql -X -v ON_ERROR_STOP=1 -q"
  if [[ $PG_CLUSTER == suite && "$($PSQL -d postgres -Atc 'show max_wal_size')" != 4GB ]]; then
    # the settings gen-db.sh gives the shared cluster, so that it does not restart that one
    $PSQL -d postgres -c "alter system set max_wal_size='4GB'" -c "alter system set maintenance_work_mem='256MB'" \
      -c "alter system set shared_buffers='1GB'" -c "alter system set checkpoint_timeout='15min'"
    pg_ctlcluster 15 suite restart; sleep 2
  fi
  DB_SCALE=$DB_SCALE bash "$SHARED/gen-db.sh" >>"$LOG" 2>&1 || die "gen-db.sh failed; see $LOG"
  fresh_db() { $PSQL -d postgres -c "drop database if exists $1 with (force)"; }
  tenant_digest() { # db: md5 over tenant 7's rows, table by table, rows in text order
    local q="" t n=0
    for t in companies users documents invoices receipts audit_log; do
      q+="${q:+ union all }select $n n, md5(string_agg(t::text, ',' order by t::text)) x from $t t where tenant_id = 7"; n=$((n + 1))
    done
    $PSQL -d "$1" -Atc "select md5(string_agg(x, '|' order by n)) from ($q) s"
  }
  pgcfg=$WORK/t/rk-saas.yml
  for run in $(seq 1 "$RUNS"); do
    echo "--- saas, run $run of $RUNS ---" >&2
    rm -rf "$WORK/t/rk-saas" "$WORK/t/dump.fc" "$WORK/t/dump.dir" "$RK_HOME"
    cat > "$pgcfg" <<YML
repository:
  url: $WORK/t/rk-saas
sources:
  - name: saas
    type: postgres
    url: jdbc:postgresql://127.0.0.1:$PG_PORT/saas
    username: bench
    password-env: BENCH_DB_PASSWORD
    jobs: 2
YML
    RK_CONFIG=$pgcfg "$RK" init >>"$LOG" 2>&1
    # start-up caches, untimed; a database backup's is trained on its first run after a build: an
    # untimed backup, into a repository made anew (of the database the timed runs back up, whatever
    # its scale: RK_TRAINING_ROWS=0)
    if (( run == 1 )); then
      RK_CONFIG=$pgcfg RK_TRAINING_ROWS=0 "$RK" backup --source saas >/dev/null 2>&1 || true
      rm -rf "$WORK/t/rk-saas" "$RK_HOME" && RK_CONFIG=$pgcfg "$RK" init >>"$LOG" 2>&1
    fi
    for c in "restore --help" "restore --tenant 7 --help"; do
      # shellcheck disable=SC2086
      RK_CONFIG=$pgcfg "$RK" $c >/dev/null 2>&1 || true
    done
    backups=("rk" "fc" "dir")
    for b in $(rotate "$run" "${backups[@]}"); do
      case $b in
        rk) measure "rk:saas:backup" env RK_CONFIG="$pgcfg" "$RK" backup --source saas --json; inside rk:saas:backup ;;
        fc) rm -f "$WORK/t/dump.fc"; measure "pg_dump_fc:saas:backup" pg_dump -Fc -d saas -f "$WORK/t/dump.fc" ;;
        dir) rm -rf "$WORK/t/dump.dir"; measure "pg_dump_dir:saas:backup" pg_dump -Fd -j 2 -d saas -f "$WORK/t/dump.dir" ;;
      esac
    done
    rm -rf "$WORK/t/dump.dir"
    for b in $(rotate "$run" rk pg tenant); do
      case $b in
        rk) fresh_db rk_restored
            measure "rk:saas:restore" env RK_CONFIG="$pgcfg" "$RK" restore --source saas --target "jdbc:postgresql://127.0.0.1:$PG_PORT/rk_restored" --json
            inside rk:saas:restore
            fresh_db rk_restored ;;
        pg) fresh_db pg_restored; $PSQL -d postgres -c "create database pg_restored"
            measure "pg_restore:saas:restore" pg_restore -j 2 -d pg_restored "$WORK/t/dump.fc"
            fresh_db pg_restored ;;
        tenant) fresh_db rk_tenant
            measure "rk:saas:tenant" env RK_CONFIG="$pgcfg" "$RK" restore --source saas --tenant 7 --target "jdbc:postgresql://127.0.0.1:$PG_PORT/rk_tenant" --json
            inside rk:saas:tenant
            [ "$(tenant_digest rk_tenant)" = "$(tenant_digest saas)" ] || die "tenant 7 restored by rk differs from saas"
            fresh_db rk_tenant ;;
      esac
    done
    echo "rk:saas:size $(du -sb "$WORK/t/rk-saas" | cut -f1)" >> "$SIZES"
    echo "pg_dump_fc:saas:size $(stat -c %s "$WORK/t/dump.fc")" >> "$SIZES"
  done
  SAAS_ROWS=$($PSQL -d saas -Atc "select v from bench_meta where k = 'complete'")
  SAAS_BYTES=$($PSQL -d saas -Atc "select pg_database_size('saas')")
fi

# --- the table ----------------------------------------------------------------------------------
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "scale=$SCALE"; echo "db_scale=$DB_SCALE"; echo "runs=$RUNS"; echo "caches_dropped=$CACHES_DROPPED"
  echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"; echo "load_start=$LOAD_START"; echo "load_end=$LOAD_END"
  echo "cores=$(nproc)"; echo "ram=$(free -g | awk '/^Mem:/ {print $2}') GiB"; echo "kernel=$(uname -r)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "rk=$("$RK" version 2>/dev/null | head -n1)"
  for t in $TOOLS; do case $t in
    restic) echo "restic=$(restic version | cut -d' ' -f2)" ;;
    borg) echo "borg=$(borg --version | cut -d' ' -f2)" ;;
    tar) echo "tar=$(tar --version | head -n1 | awk '{print $NF}')"; echo "zstd=$(zstd --version | grep -o 'v[0-9.]*')"
         echo "openssl=$(openssl version | cut -d' ' -f2)" ;;
  esac; done
  if [[ $PG == 1 ]]; then
    echo "postgres=$(pg_dump --version | awk '{print $3}')"; echo "saas_rows=$SAAS_ROWS"; echo "saas_bytes=$SAAS_BYTES"
  fi
} > "$WORK/machine"
python3 "$HERE/suite-table.py" "$WORK" "$OUT" "$TOOLS"
