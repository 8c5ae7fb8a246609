# Shared by the database benchmarks (pg.sh, tenant.sh), sourced after ROOT, SHARED and WORK are set:
# a local PostgreSQL 15 with a superuser 'bench', the bench database from ../shared/bench/gen-db.sh,
# the restorekit jar, and drop_caches.
export PGHOST=127.0.0.1 PGPORT=5432 PGUSER=bench PGPASSWORD=bench

if ! command -v pg_ctlcluster >/dev/null || ! pg_lsclusters -h 2>/dev/null | awk '$1==15 && $2=="main"' | grep -q .; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-client-15
fi
command -v bc >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bc; }
pg_lsclusters -h | awk '$1==15 && $2=="main"' | grep -q online || pg_ctlcluster 15 main start
# The role, made as the postgres OS user over the socket (without the PG* variables above).
if ! psql -X -d postgres -c 'select 1' >/dev/null 2>&1; then
  env -u PGHOST -u PGPORT -u PGUSER -u PGPASSWORD su postgres -c \
    "psql -X -q -c \"create role bench superuser login password 'bench'\""
fi
bash "$SHARED/gen-db.sh" >/dev/null
PSQL="psql -X -v ON_ERROR_STOP=1 -q"

export RK_PASSWORD=bench-password RK_NEW_PASSWORD=bench-password RK_HOME=$WORK/rk-home BENCH_DB_PASSWORD=bench
RK="$ROOT/shell/rk"
[ -f "$ROOT/target/restorekit.jar" ] || (cd "$ROOT" && ./mvnw -q -B -DskipTests package)

drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }
