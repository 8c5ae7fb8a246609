#!/usr/bin/env bash
# One tenant restored in place against a full restore, on the shared 'saas' database (20 tenants),
# and 'versions' / 'restore --at --file' inside the shell on a repository of many snapshots.
#
#   bench/tenant.sh                     full scale (5 M rows)
#   DB_SCALE=0.1 bench/tenant.sh        a small run
#   PARTS=db|versions bench/tenant.sh   one part only (default both)
#   SNAPSHOTS=100 bench/tenant.sh       snapshots of 'uploads' for the versions part (0 skips it);
#   DB=my_saas bench/tenant.sh          back up, change and restore a copy of saas (made from it as a
#                                       template when missing), not saas itself; the full restore goes
#                                       into my_saas_full instead of rk_full
#                                       UPLOAD_TENANTS=2 of the 20 tenants' folders are copied for it
#
# Database part: back up saas; full restore into a new database (time, bytes read = every table
# stream); then tenant 7 loses and changes rows (deleted invoices and receipts, edited documents),
# and 'rk restore --tenant 7 --in-place --yes' brings it back (time, bytes read from the JSON);
# a per-tenant digest proves tenant 7 equals the backup again and that the others did not move.
# Needs the local PostgreSQL 15 cluster of bench/pg.sh. Results: bench/results/tenant.md.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
BENCH=${BENCH:-/tmp/bench}
SNAPSHOTS=${SNAPSHOTS:-100}
PARTS=${PARTS:-db,versions}
[[ $PARTS == *versions* ]] || SNAPSHOTS=0
WORK=$BENCH/work-tenant
export BENCH_MUT_DIR=$WORK/mutations
OUT=$HERE/results
mkdir -p "$WORK" "$OUT"
source "$HERE/pg-setup.sh"
DB=${DB:-saas}
if [ "$DB" = saas ]; then FULL_DB=rk_full; else FULL_DB=${DB}_full; fi
if [ "$DB" != saas ] && [ "$($PSQL -d "$DB" -Atc "select v from bench_meta where k = 'complete'" 2>/dev/null || true)" \
    != "$($PSQL -d saas -Atc "select v from bench_meta where k = 'complete'")" ]; then
  $PSQL -d postgres -c "drop database if exists $DB with (force)" -c "create database $DB template saas"
fi
seconds() { local t0 t1; drop_caches; t0=$(date +%s.%N); "$@" >"$WORK/last.out" 2>"$WORK/last.err" \
  || { cat "$WORK/last.out" "$WORK/last.err" >&2; exit 1; }; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
json() { python3 -c "import json,sys; d=json.load(open('$WORK/last.out')); print($1)"; }
# md5 over every row of one tenant (or of all the others), table by table, rows in text order.
tenant_digest() {
  $PSQL -d "${2:-$DB}" -Atc "select md5(string_agg(x, '|' order by n)) from (
    select 0 n, md5(string_agg(t::text, ',' order by t::text)) x from companies t where tenant_id $1 union all
    select 1, md5(string_agg(t::text, ',' order by t::text)) from users t where tenant_id $1 union all
    select 2, md5(string_agg(t::text, ',' order by t::text)) from documents t where tenant_id $1 union all
    select 3, md5(string_agg(t::text, ',' order by t::text)) from invoices t where tenant_id $1 union all
    select 4, md5(string_agg(t::text, ',' order by t::text)) from receipts t where tenant_id $1 union all
    select 5, md5(string_agg(t::text, ',' order by t::text)) from audit_log t where tenant_id $1) s"
}

repo=$WORK/rk-repo
rm -rf "$repo" "$RK_HOME"
cat > "$WORK/rk.yml" <<YML
repository:
  url: $repo
sources:
  - name: saas
    type: postgres
    url: jdbc:postgresql://127.0.0.1:5432/$DB
    username: bench
    password-env: BENCH_DB_PASSWORD
    jobs: 2
  - name: uploads
    type: files
    path: $WORK/uploads
    tenant-path: "tenant-{tenant}/**"
modules:
  billing:
    tables: [invoices, receipts]
    paths: ["*/invoices/**", "*/receipts/**"]
YML
export RK_CONFIG=$WORK/rk.yml
"$RK" init >/dev/null
# The launcher makes a start-up cache once per build and set of JVM options (which depend on the
# command and the configuration's sources): untimed, before the timed runs.
# A database backup's cache is trained on its first run: an untimed backup, into a repository made anew,
# of the database the timed runs back up (whatever its scale: RK_TRAINING_ROWS=0).
RK_TRAINING_ROWS=0 "$RK" backup >/dev/null 2>&1 || true
rm -rf "$repo" "$RK_HOME" && "$RK" init >/dev/null
for c in "restore --help" "restore --tenant 7 --help"; do
  # shellcheck disable=SC2086  # the words of $c are the arguments
  "$RK" $c >/dev/null 2>&1 || true
done

if [[ $PARTS == *db* ]]; then
backup_s=$(seconds "$RK" backup --source saas --json)
$PSQL -d postgres -c "drop database if exists $FULL_DB with (force)"
full_s=$(seconds "$RK" restore --source saas --target jdbc:postgresql://127.0.0.1:5432/$FULL_DB --json)
cp "$WORK/last.out" "$WORK/full-restore.json"
full_bytes=$(json "d['bytes']")
$PSQL -d postgres -c "drop database if exists $FULL_DB with (force)"

t7_before=$(tenant_digest "= 7"); others_before=$(tenant_digest "<> 7")
$PSQL -d "$DB" <<'SQL'
delete from receipts where tenant_id = 7 and (receipt_id / 20) % 10 = 3;
delete from invoices i where tenant_id = 7 and (invoice_id / 20) % 10 = 3
  and not exists (select 1 from receipts r where r.tenant_id = 7 and r.invoice_id = i.invoice_id);
update documents set title = title || ' (edited)' where tenant_id = 7 and (document_id / 20) % 10 = 5;
SQL
others_changed=$(tenant_digest "<> 7")
plan_s=$(seconds "$RK" restore --source saas --tenant 7 --in-place --dry-run --json)
cp "$WORK/last.out" "$WORK/tenant-plan.json"
tenant_s=$(seconds "$RK" restore --source saas --tenant 7 --in-place --yes --json)
cp "$WORK/last.out" "$WORK/tenant-restore.json"
tenant_read=$(json "d['bytesRead']"); table_bytes=$(json "d['tableBytes']")
changed=$(json "d['rowsToDelete'] + d['rowsToUpdate'] + d['rowsToInsert']")
t7_after=$(tenant_digest "= 7"); others_after=$(tenant_digest "<> 7")
[ "$t7_before" = "$t7_after" ] && t7_ok=equal || t7_ok=DIFFERS
[ "$others_before" = "$others_after" ] && [ "$others_before" = "$others_changed" ] && others_ok=untouched || others_ok=CHANGED
fi

versions_line=""
if [ "$SNAPSHOTS" -gt 0 ]; then
  # A files source with SNAPSHOTS snapshots, 1 % of its files changed between them.
  rm -rf "$WORK/uploads"
  [ -d "$BENCH/data/uploads" ] || bash "$SHARED/gen-data.sh" >/dev/null
  mkdir -p "$WORK/uploads"
  for d in $(ls "$BENCH/data/uploads" | sort | head -n "${UPLOAD_TENANTS:-2}"); do cp -a "$BENCH/data/uploads/$d" "$WORK/uploads/"; done
  file=$(cd "$WORK/uploads" && find . -type f | sort | sed -n 7p | sed 's|^\./||')
  # Rounds of 1 % changes (and one more version of the tracked file), each followed by ten
  # backups in one shell session (rk @FILE), so that start-up does not dominate the set-up.
  i=0
  while [ "$i" -lt "$SNAPSHOTS" ]; do
    bash "$SHARED/mutate.sh" "$WORK/uploads" "$i" >/dev/null 2>&1 || true
    echo "round $i $(date +%s%N)" >> "$WORK/uploads/$file"
    : > "$WORK/backups.rk"
    for j in $(seq 1 10); do
      [ "$i" -lt "$SNAPSHOTS" ] || break
      i=$((i + 1))
      printf 'backup --source uploads --time %s\n' "$(date -u -d "2026-01-01 + $i hours" +%Y-%m-%dT%H:%M:%SZ)" >> "$WORK/backups.rk"
    done
    "$RK" "@$WORK/backups.rk" >/dev/null
  done
  # Inside one shell: the difference between 1 and 101 commands, per command. The first run
  # builds the path index from the repository (timed apart); the others find it up to date.
  at=$(date -u -d "2026-01-01 + $((SNAPSHOTS / 2)) hours" +%Y-%m-%dT%H:%M)
  v="versions --source uploads --file $file"
  printf '%s\n' "$v" > "$WORK/one.rk"
  { for k in $(seq 1 101); do printf '%s\n' "$v"; done; } > "$WORK/many.rk"
  { printf '%s\n' "$v"; for k in $(seq 1 100); do
      printf 'restore --source uploads --file %s --at %s --target %s --dry-run\n' "$file" "$at" "$WORK/at"; done; } > "$WORK/at.rk"
  rm -rf "$RK_HOME/cache"
  cold=$(seconds "$RK" "@$WORK/one.rk"); one=$(seconds "$RK" "@$WORK/one.rk")
  many=$(seconds "$RK" "@$WORK/many.rk"); ats=$(seconds "$RK" "@$WORK/at.rk")
  per_versions=$(echo "($many - $one) / 100" | bc -l); per_at=$(echo "($ats - $one) / 100" | bc -l)
  build=$(echo "$cold - $one" | bc -l)
  nfiles=$(find "$WORK/uploads" -type f | wc -l)
  versions_line=$(printf '| versions / restore --at --file --dry-run inside the shell, %d snapshots of %d files (s per command) | %.3f / %.3f | |\n| path index built from the repository on first use (s, about) | %.1f | |' \
    "$SNAPSHOTS" "$nfiles" "$per_versions" "$per_at" "$build")
fi

{
  echo "| operation | value | share of full restore |"
  echo "|---|---|---|"
  if [[ $PARTS == *db* ]]; then
  printf '| backup of saas (s) | %.1f | |\n' "$backup_s"
  printf '| full restore into a new database (s) | %.1f | 100 %% |\n' "$full_s"
  printf '| tenant 7 plan, --dry-run (s) | %.1f | %.1f %% |\n' "$plan_s" "$(echo "100 * $plan_s / $full_s" | bc -l)"
  printf '| tenant 7 restore in place (s) | %.1f | %.1f %% |\n' "$tenant_s" "$(echo "100 * $tenant_s / $full_s" | bc -l)"
  printf '| table bytes read: full / tenant 7 (MB) | %.1f / %.1f | %.1f %% |\n' "$(echo "$full_bytes/1000000" | bc -l)" \
    "$(echo "$tenant_read/1000000" | bc -l)" "$(echo "100 * $tenant_read / $table_bytes" | bc -l)"
  fi
  [ -n "$versions_line" ] && echo "$versions_line"
  echo
  [[ $PARTS == *db* ]] && echo "tenant 7: $changed rows changed back; its rows after the restore: $t7_ok to the backup; other tenants: $others_ok." \
    && echo "$DB: $($PSQL -d "$DB" -Atc "select v from bench_meta where k = 'complete'") rows."
  echo "$(date -u +%Y-%m-%d), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); JVM start-up included in every time."
} | tee "$OUT/tenant-$(echo "$PARTS" | tr ',' '-').md"
