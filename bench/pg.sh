#!/usr/bin/env bash
# restorekit against pg_dump/pg_restore on the shared 'saas' database, measured in the same run.
#
#   bench/pg.sh                   full scale (5 M rows, ~1.5 GB on disk)
#   DB_SCALE=0.1 bench/pg.sh      a small run
#   RUNS=3 bench/pg.sh            medians of 3 runs per measurement (default 1)
#   DB_PREFIX=me_ bench/pg.sh     names the databases it creates me_rk_restored, me_pg_restored, me_saas_mut
#
# Needs a local PostgreSQL 15 cluster (installed with apt and started with pg_ctlcluster when
# absent) with role bench/bench on 127.0.0.1:5432; ../shared/bench/gen-db.sh creates 'saas' there.
# Measures: rk backup vs pg_dump -Fc and pg_dump -Fd -j 2; rk restore (schema, data, indexes,
# constraints) vs pg_restore -j 2 of the -Fc dump, each into a new database; a second rk backup
# after 1 % of the rows changed (bytes added); peak client memory. Results: bench/results/pg.md.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
BENCH=${BENCH:-/tmp/bench}
RUNS=${RUNS:-1}
WORK=$BENCH/work-pg
OUT=$HERE/results
mkdir -p "$WORK" "$OUT"
source "$HERE/pg-setup.sh"

# time_cmd LABEL CMD... : runs CMD, appends "LABEL seconds maxrss_kib" to $WORK/times
time_cmd() {
  local label=$1; shift
  drop_caches
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$WORK/rss" "$@" >"$WORK/last.out" 2>"$WORK/last.err" \
    || { cat "$WORK/last.out" "$WORK/last.err" >&2; echo "FAILED: $*" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$label $(echo "$t1 - $t0" | bc) $(cat "$WORK/rss")" >> "$WORK/times"
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
stat_of() { grep "^$1 " "$WORK/times" | awk '{print $2}' | median; }
rss_of() { grep "^$1 " "$WORK/times" | awk '{print $3}' | sort -n | tail -1; }
P=${DB_PREFIX:-}
fresh_db() { $PSQL -d postgres -c "drop database if exists $1 with (force)"; }
# The JSON document of a command's output (the JVM may print warnings before it).
JSON="import json; doc = lambda p: (lambda t: json.loads(t[0 if t.startswith('{') else t.index(chr(10) + '{') + 1:]))(open(p).read())"

# The 1 % change: a copy of saas ('saas_mut') with 1 % of the rows of every table updated, so
# the original stays intact for the next run. The updated rows are spread evenly (every 100th),
# the hardest case for chunk deduplication: every ~1 MiB chunk of a table's stream holds some.
mutate_copy() {
  fresh_db ${P}saas_mut
  $PSQL -d postgres -c "create database ${P}saas_mut template saas"
  $PSQL -d ${P}saas_mut <<'SQL'
update documents set title = title || ' (rev)' where document_id % 100 = 7;
update invoices set status = 'paid' where invoice_id % 100 = 7;
update receipts set reference = reference || 'X' where receipt_id % 100 = 7;
update audit_log set action = 'update' where id % 100 = 7;
update users set last_login = last_login + interval '1 day' where user_id % 100 = 7;
update companies set address = address || ' (new)' where company_id % 100 = 7;
SQL
}

: > "$WORK/times"; : > "$WORK/added"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for run in $(seq 1 "$RUNS"); do
  repo=$WORK/rk-repo
  rm -rf "$repo" "$RK_HOME" "$WORK/dump.fc" "$WORK/dump.dir"
  cat > "$WORK/rk.yml" <<YML
repository:
  url: $repo
sources:
  - name: saas
    type: postgres
    url: jdbc:postgresql://127.0.0.1:5432/saas
    username: bench
    password-env: BENCH_DB_PASSWORD
    jobs: 2
YML
  # The same source after 1 % of its rows changed: a copy of the database under the same name, so
  # that the second backup has the first as its parent (as a daily backup of 'saas' would).
  sed "s#/saas\$#/${P}saas_mut#" "$WORK/rk.yml" > "$WORK/rk-mut.yml"
  export RK_CONFIG=$WORK/rk.yml
  "$RK" init >/dev/null
  # the start-up archives of both heap settings, made once per build, stay out of the timings (a
  # database backup's is trained on its first run: an untimed backup, into a repository made anew,
  # of the database the timed runs back up, whatever its scale: RK_TRAINING_ROWS=0)
  RK_TRAINING_ROWS=0 "$RK" backup --source saas >/dev/null 2>&1 || true
  rm -rf "$repo" "$RK_HOME" && "$RK" init >/dev/null
  "$RK" restore --help >/dev/null 2>&1 || true

  # alternate the tools so that noise hits both alike
  time_cmd "rk:backup" "$RK" backup --source saas --json
  cp "$WORK/last.out" "$WORK/backup-first.json"
  time_cmd "pg_dump:fc" pg_dump -Fc -d saas -f "$WORK/dump.fc"
  time_cmd "pg_dump:dir-j2" pg_dump -Fd -j 2 -d saas -f "$WORK/dump.dir"
  rm -rf "$WORK/dump.dir"

  fresh_db ${P}rk_restored
  time_cmd "rk:restore" "$RK" restore --source saas --target jdbc:postgresql://127.0.0.1:5432/${P}rk_restored --json
  cp "$WORK/last.out" "$WORK/restore.json"
  fresh_db ${P}rk_restored
  fresh_db ${P}pg_restored
  $PSQL -d postgres -c "create database ${P}pg_restored"
  time_cmd "pg_restore:j2" pg_restore -j 2 -d ${P}pg_restored "$WORK/dump.fc"
  fresh_db ${P}pg_restored
  rm -f "$WORK/dump.fc"

  # A second backup of the same data after 1 % of rows changed: what it adds to the repository.
  mutate_copy
  RK_CONFIG=$WORK/rk-mut.yml time_cmd "rk:backup-1pct" "$RK" backup --source saas --json
  cp "$WORK/last.out" "$WORK/backup-second.json"
  first=$(python3 -c "$JSON; print(doc('$WORK/backup-first.json')['sources'][0]['summary']['addedBytes'])")
  second=$(python3 -c "$JSON; print(doc('$WORK/backup-second.json')['sources'][0]['summary']['addedBytes'])")
  echo "$first $second" >> "$WORK/added"
  fresh_db ${P}saas_mut
done

rows=$($PSQL -d saas -Atc "select v from bench_meta where k = 'complete'")
size=$($PSQL -d saas -Atc "select pg_database_size('saas')")
{
  echo "| operation | restorekit | pg_dump / pg_restore | restorekit / other (time) |"
  echo "|---|---|---|---|"
  a=$(stat_of rk:backup); b=$(stat_of pg_dump:fc); c=$(stat_of pg_dump:dir-j2)
  printf '| backup vs pg_dump -Fc (s) | %.1f | %.1f | %.2f× |\n' "$a" "$b" "$(echo "$a / $b" | bc -l)"
  printf '| backup vs pg_dump -Fd -j 2 (s) | %.1f | %.1f | %.2f× |\n' "$a" "$c" "$(echo "$a / $c" | bc -l)"
  a=$(stat_of rk:restore); b=$(stat_of pg_restore:j2)
  printf '| full restore vs pg_restore -j 2 (s) | %.1f | %.1f | %.2f× |\n' "$a" "$b" "$(echo "$a / $b" | bc -l)"
  a=$(rss_of rk:backup); b=$(rss_of pg_dump:fc)
  printf '| peak client memory, backup (MiB) | %.0f | %.0f | |\n' "$(echo "$a/1024" | bc -l)" "$(echo "$b/1024" | bc -l)"
  a=$(rss_of rk:restore); b=$(rss_of pg_restore:j2)
  printf '| peak client memory, restore (MiB) | %.0f | %.0f | |\n' "$(echo "$a/1024" | bc -l)" "$(echo "$b/1024" | bc -l)"
  read -r first second < <(tail -1 "$WORK/added")
  printf '| added by a backup after 1 %% of rows changed | %.1f MB of %.1f MB first (%.1f %%) | | |\n' \
    "$(echo "$second/1000000" | bc -l)" "$(echo "$first/1000000" | bc -l)" "$(echo "100 * $second / $first" | bc -l)"
  echo
  echo "saas: $rows rows, $(echo "$size/1000000" | bc) MB on disk. Medians of $RUNS run(s), $(date -u +%Y-%m-%d)," \
    "$(nproc) cores, $("$RK" version 2>/dev/null || echo "rk version unknown"), $(pg_dump --version)."
  echo "Load average (1, 5, 15 min) at the start: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "rk restore phases (last run): $(python3 -c "$JSON; r=doc('$WORK/restore.json'); print(', '.join(p['name']+' '+str(round(p['durationMs']/1000,1))+' s' for p in r['phases']))")"
} | tee "$OUT/pg.md"
