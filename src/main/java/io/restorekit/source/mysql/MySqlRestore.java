package io.restorekit.source.mysql;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;
import io.restorekit.source.postgres.TableData;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.DatabaseManifest.Ddl;
import io.restorekit.source.postgres.DatabaseManifest.Phase;
import io.restorekit.source.postgres.PostgresRestore.PhaseTime;
import io.restorekit.source.postgres.PostgresRestore.TableLoad;
import io.restorekit.source.postgres.RowScanner;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.restorekit.source.mysql.MySqlConnect.ident;

/**
 * Recreates a MySQL or MariaDB database from a manifest: the database with its character set,
 * the sequences (MariaDB), the tables as {@code SHOW CREATE TABLE} printed them (with
 * {@code foreign_key_checks} and {@code unique_checks} off), their rows streamed with
 * {@code LOAD DATA LOCAL INFILE} from the repository (several tables at once with {@code jobs}),
 * then the sequences' next values, routines, views, triggers and events,
 * each under the {@code sql_mode} and character set it was created with. Each table's rows and
 * digest are checked against the manifest as they stream in.
 *
 * <p>A database this restore created is dropped again when the restore fails, so a half-restored
 * database never looks complete.
 */
public final class MySqlRestore {
    private final Repository repository;

    public MySqlRestore(Repository repository) {
        this.repository = repository;
    }

    /**
     * @param jobs    parallel connections loading tables
     * @param replace permission to restore into a database that already holds tables: it is dropped
     *                and created again ({@code --yes})
     */
    public record Options(int jobs, boolean replace) {
    }

    /** Same shape as the PostgreSQL restore's result, so drills and commands treat both alike. */
    public record Result(String database, boolean created, long existingTables, List<PhaseTime> phases,
                         long tables, long rows, long bytes, long durationMs, List<TableLoad> loaded,
                         List<String> referencesKept) {
        public Result {
            phases = List.copyOf(phases);
            loaded = List.copyOf(loaded);
            referencesKept = List.copyOf(referencesKept);
        }
    }

    /**
     * The keys of other databases' tables that a whole restore created again, each with how many of
     * its rows reference rows the restored table does not hold, where any do.
     */
    private static List<String> referencesKept(ReplacedTables aside) {
        Map<ReplacedTables.Reference, Long> dangling;
        try {
            dangling = aside.dangling();
        } catch (SQLException e) {
            dangling = Map.of(); // the restore is done; the count is a courtesy
        }
        List<String> out = new ArrayList<>();
        for (ReplacedTables.Reference r : aside.references()) {
            Long n = dangling.get(r);
            out.add(r.describe() + (n == null ? "" : " (" + r.dangling(n) + ")"));
        }
        return out;
    }

    /**
     * The foreign keys of other databases' tables that reference tables of the target database: a
     * restore with {@code --yes} drops them meanwhile and creates them again (for its plan).
     */
    public static List<String> referencesKept(MySqlConnect target) {
        try (Connection c = target.open()) {
            return ReplacedTables.referencesFromOutside(c, ReplacedTables.baseTables(c)).stream()
                    .map(ReplacedTables.Reference::describe).toList();
        } catch (SQLException e) {
            throw target.failure("inspect", e);
        }
    }

    /** How many tables and views the target database holds, or -1 when it does not exist. */
    public static long tablesIn(MySqlConnect target) {
        try (Connection c = target.withDatabase("").open();
             PreparedStatement st = c.prepareStatement("SELECT (SELECT COUNT(*) FROM information_schema.SCHEMATA"
                     + " WHERE SCHEMA_NAME = ?), (SELECT COUNT(*) FROM information_schema.TABLES"
                     + " WHERE TABLE_SCHEMA = ?)")) {
            st.setString(1, target.database());
            st.setString(2, target.database());
            try (ResultSet r = st.executeQuery()) {
                r.next();
                return r.getLong(1) == 0 ? -1 : r.getLong(2);
            }
        } catch (SQLException e) {
            throw target.failure("inspect", e);
        }
    }

    public Result restore(DatabaseManifest manifest, MySqlConnect target, Options options, ProgressListener progress)
            throws IOException {
        long t0 = System.nanoTime();
        long existing = tablesIn(target);
        if (existing > 0 && !options.replace()) {
            throw new RkException(ErrorCode.FAILED, "database '" + target.database() + "' at '" + target.url()
                    + "' already holds " + existing + (existing == 1 ? " table" : " tables")
                    + "; nothing was changed. Restore into a new database, or pass --yes to drop and recreate it");
        }
        checkTarget(manifest, target);
        try (Connection guard = guard(target)) {
            return restore(manifest, target, options, progress, t0, existing);
        } catch (SQLException e) {
            throw target.failure("restore into", e);
        }
    }

    /**
     * The named lock a whole restore holds on the server from start to end, which a backup of the
     * database checks: taken while a restore writes, it would store a half-restored database as a
     * good snapshot (the newest, which retention keeps and drills and restores pick).
     */
    static String guardName(String database) {
        return "rk_restore:" + (database.length() <= 50 ? database : Integer.toHexString(database.hashCode()));
    }

    private static Connection guard(MySqlConnect target) throws SQLException {
        Connection c = target.withDatabase("").open();
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT GET_LOCK("
                + MySqlConnect.literal(guardName(target.database())) + ", 60)")) {
            if (!r.next() || r.getInt(1) != 1) {
                throw new RkException(ErrorCode.FAILED, "another restore into database '" + target.database()
                        + "' is still running after 60 s; nothing was changed. Restore once it has finished");
            }
            return c;
        } catch (SQLException e) {
            if (e.getErrorCode() == NOT_SUPPORTED) {
                return c; // a Galera cluster has no named locks: the restore goes on unguarded
            }
            c.close();
            throw e;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** {@code ER_NOT_SUPPORTED_YET}: what a Galera cluster answers to the named-lock functions. */
    private static final int NOT_SUPPORTED = 1235;

    /** Refuses a backup of {@code source}'s database while a restore into it runs (see {@link #guardName}). */
    static void refuseDuringRestore(Connection c, MySqlConnect source) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT IS_USED_LOCK("
                + MySqlConnect.literal(guardName(source.database())) + ")")) {
            if (r.next() && r.getObject(1) != null) {
                throw new RkException(ErrorCode.FAILED, "a restore into database '" + source.database() + "' is"
                        + " running: a backup now would store it half-restored; nothing was stored. Back it up once"
                        + " the restore has finished");
            }
        } catch (SQLException e) {
            if (e.getErrorCode() != NOT_SUPPORTED) {
                throw e;
            }
        }
    }

    private Result restore(DatabaseManifest manifest, MySqlConnect target, Options options, ProgressListener progress,
                           long t0, long existing) throws IOException {
        List<PhaseTime> phases = new ArrayList<>();
        // A database to replace is set aside, not dropped, until the restore has succeeded: a
        // restore that fails puts it back as it was.
        ReplacedTables aside = null;
        if (existing > 0) {
            ReplacedTables[] set = new ReplacedTables[1];
            timed(phases, "set the existing tables aside", () -> set[0] = ReplacedTables.wholeDatabase(target));
            aside = set[0];
        }
        // An empty database is kept (its grants and options stay); a missing or replaced one is created.
        boolean created = existing != 0;
        // What an empty one holds (routines, events), so that a restore that fails drops what it created.
        List<String[]> found = existing == 0 ? objectsIn(target) : null;
        try {
            if (aside != null) {
                timed(phases, "drop what was left", () -> dropDatabase(target)); // views, routines, events
            }
            if (created) {
                createDatabase(manifest, target);
            }
            ConcurrentLinkedQueue<TableLoad> loaded = new ConcurrentLinkedQueue<>();
            run(manifest, target, options, phases, loaded, progress);
            if (aside != null) {
                timed(phases, "drop the replaced tables", aside::finish);
            }
            long rows = manifest.tables().stream().mapToLong(DatabaseManifest.Table::rows).sum();
            long bytes = manifest.tables().stream().mapToLong(DatabaseManifest.Table::bytes).sum();
            return new Result(target.database(), existing < 0, existing, phases, manifest.tables().size(), rows,
                    bytes, (System.nanoTime() - t0) / 1_000_000, List.copyOf(loaded), aside == null ? List.of()
                    : referencesKept(aside));
        } catch (RuntimeException | IOException e) {
            if (created) {
                try {
                    dropDatabase(target);
                } catch (RuntimeException | SQLException dropped) {
                    e.addSuppressed(dropped);
                }
            }
            if (found != null) {
                try {
                    dropCreated(target, found);
                } catch (RuntimeException | SQLException notDropped) {
                    e.addSuppressed(notDropped);
                    throw e;
                }
                throw new RkException(e instanceof RkException rk ? rk.code() : ErrorCode.FAILED, e.getMessage()
                        + "; what it had created in database '" + target.database() + "' was dropped", e);
            }
            if (aside != null) {
                try {
                    aside.putBack();
                } catch (RuntimeException | SQLException notBack) {
                    e.addSuppressed(notBack);
                    throw new RkException(ErrorCode.FAILED, e.getMessage() + "; the tables of database '"
                            + target.database() + "' as it was are kept in database '" + aside.name()
                            + "' on the same server (putting them back failed: " + notBack.getMessage() + ")", e);
                }
                throw new RkException(e instanceof RkException rk ? rk.code() : ErrorCode.FAILED, e.getMessage()
                        + "; database '" + target.database() + "' was put back as it was", e);
            }
            throw e;
        }
    }

    /** The tables, views, routines, triggers and events of the target database, as kind and name. */
    private static List<String[]> objectsIn(MySqlConnect target) {
        List<String[]> out = new ArrayList<>();
        try (Connection c = target.open(); Statement st = c.createStatement(); ResultSet r = st.executeQuery(
                "SELECT 'TRIGGER', TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"
                        + " UNION ALL SELECT 'EVENT', EVENT_NAME FROM information_schema.EVENTS"
                        + " WHERE EVENT_SCHEMA = DATABASE()"
                        + " UNION ALL SELECT IF(TABLE_TYPE = 'VIEW', 'VIEW', 'TABLE'), TABLE_NAME"
                        + " FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                        + " UNION ALL SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES"
                        + " WHERE ROUTINE_SCHEMA = DATABASE()")) {
            while (r.next()) {
                out.add(new String[] {r.getString(1), r.getString(2)});
            }
        } catch (SQLException e) {
            throw target.failure("inspect", e);
        }
        return out;
    }

    /** Drops what the target database holds beyond {@code found} (as {@link #objectsIn} lists them). */
    private static void dropCreated(MySqlConnect target, List<String[]> found) throws SQLException {
        Set<String> before = new java.util.HashSet<>();
        found.forEach(o -> before.add(o[0] + " " + o[1]));
        try (Connection c = target.open(); Statement st = c.createStatement()) {
            st.execute("SET foreign_key_checks = 0");
            for (String[] o : objectsIn(target)) {
                if (!before.contains(o[0] + " " + o[1])) {
                    st.execute("DROP " + o[0] + " IF EXISTS " + ident(o[1]));
                }
            }
        }
    }

    /**
     * Refuses a target server that cannot take what the snapshot holds, before anything changes (a
     * restore with {@code --yes} would otherwise drop what is there first): rows are loaded with
     * {@code LOAD DATA LOCAL INFILE}, which the server's {@code local_infile} must allow, and the
     * history of system-versioned tables needs a server that can load it. A restore and its dry run
     * ask alike.
     */
    public static void checkTarget(DatabaseManifest manifest, MySqlConnect target) {
        Set<String> history = new java.util.TreeSet<>(SystemTime.withHistory(manifest).keySet());
        try (Connection c = target.withDatabase("").open(); Statement st = c.createStatement()) {
            checkLoad(st, target);
            if (!history.isEmpty()) {
                requireInsertHistory(st, target, String.join(", ", history));
            }
        } catch (SQLException e) {
            throw target.failure("inspect", e);
        }
    }

    /**
     * Refuses, before anything changes, a server whose {@code local_infile} is off: restores and
     * scoped restores (and their dry runs) load rows with {@code LOAD DATA LOCAL INFILE}.
     */
    static void checkLoad(MySqlConnect target) {
        try (Connection c = target.withDatabase("").open(); Statement st = c.createStatement()) {
            checkLoad(st, target);
        } catch (SQLException e) {
            throw target.failure("inspect", e);
        }
    }

    private static void checkLoad(Statement st, MySqlConnect target) throws SQLException {
        try (ResultSet r = st.executeQuery("SELECT @@GLOBAL.local_infile")) {
            if (r.next() && !r.getBoolean(1)) {
                throw new RkException(ErrorCode.FAILED, "the server at '" + target.url() + "' refuses LOAD DATA"
                        + " LOCAL INFILE (local_infile is OFF), which a restore loads rows with; nothing was changed."
                        + " Turn it on (SET GLOBAL local_infile = 1, or local_infile = 1 in the server's"
                        + " configuration) and restore again");
            }
        }
    }

    /**
     * Refuses a target server that cannot load the history of the snapshot's system-versioned
     * tables (named in {@code history}): one without {@code system_versioning_insert_history}
     * (MariaDB before 10.11, MySQL), or whose {@code secure_timestamp} forbids setting row times.
     */
    private static void requireInsertHistory(Statement st, MySqlConnect target, String history) throws SQLException {
        try {
            st.execute("SET SESSION system_versioning_insert_history = 1");
        } catch (SQLException e) {
            if (e.getErrorCode() != 1193) { // ER_UNKNOWN_SYSTEM_VARIABLE
                throw e;
            }
            throw new RkException(ErrorCode.FAILED, "the snapshot holds the history of system-versioned tables ("
                    + history + "), which only MariaDB 10.11 or later can load (system_versioning_insert_history);"
                    + " nothing was changed. Restore into such a server", e);
        }
        try (ResultSet r = st.executeQuery("SELECT @@secure_timestamp")) {
            String secure = r.next() ? r.getString(1) : "NO";
            if (!"NO".equalsIgnoreCase(secure) && !"SUPER".equalsIgnoreCase(secure)) {
                throw new RkException(ErrorCode.FAILED, "the snapshot holds the history of system-versioned"
                        + " tables (" + history + "), and the server's secure_timestamp=" + secure + " forbids"
                        + " loading row versions with their own times; nothing was changed. Restore into a"
                        + " server with secure_timestamp=NO (or SUPER, as a user with that privilege)");
            }
        }
    }

    static void createDatabase(DatabaseManifest manifest, MySqlConnect target) {
        String options = manifest.schema().stream().filter(d -> d.phase() == Phase.SCHEMAS).findFirst()
                .map(d -> MySqlSchema.createOptions(d.sql())).orElse(" DEFAULT CHARACTER SET utf8mb4");
        try (Connection admin = target.withDatabase("").open(); Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + ident(target.database()) + options);
        } catch (SQLException e) {
            throw target.failure("create database '" + target.database() + "' on", e);
        }
    }

    /** The schema fingerprint of the database {@code target} names, computed as a backup computes it. */
    public static String schemaFingerprint(MySqlConnect target) {
        try (Connection c = target.open()) {
            return MySqlSchema.read(c).fingerprint();
        } catch (SQLException e) {
            throw target.failure("read the schema of", e);
        }
    }

    /** Drops the database {@code target} names (a drill's temporary database). */
    public static void drop(MySqlConnect target) {
        try {
            dropDatabase(target);
        } catch (SQLException e) {
            throw target.failure("drop database '" + target.database() + "' on", e);
        }
    }

    static void dropDatabase(MySqlConnect target) throws SQLException {
        try (Connection admin = target.withDatabase("").open(); Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + ident(target.database()));
        }
    }

    private void run(DatabaseManifest manifest, MySqlConnect target, Options options, List<PhaseTime> phases,
                     ConcurrentLinkedQueue<TableLoad> loaded, ProgressListener progress) throws IOException {
        Map<Phase, List<Ddl>> byPhase = new HashMap<>();
        manifest.schema().forEach(d -> byPhase.computeIfAbsent(d.phase(), k -> new ArrayList<>()).add(d));
        try (Connection c = target.open()) {
            try (Statement st = c.createStatement()) {
                st.execute("SET foreign_key_checks = 0");
            }
            List<Ddl> sequences = byPhase.getOrDefault(Phase.SEQUENCES, List.of());
            if (!sequences.isEmpty()) {
                timed(phases, "sequences", () -> execute(c, sequences));
            }
            timed(phases, "tables", () -> execute(c, tables(manifest)));
            timed(phases, "data", () -> load(manifest, target, options.jobs(), loaded, progress));
            List<Ddl> values = byPhase.getOrDefault(Phase.SEQUENCE_VALUES, List.of());
            if (!values.isEmpty()) {
                timed(phases, "sequence values", () -> execute(c, values));
            }
            // Routines first: views may call functions; function bodies are not checked at creation.
            timed(phases, "routines", () -> execute(c, byPhase.getOrDefault(Phase.FUNCTIONS, List.of())));
            timed(phases, "views", () -> {
                // A view may select from another: create in rounds until none is left.
                List<Ddl> left = tryAll(c, byPhase.getOrDefault(Phase.VIEWS, List.of()));
                execute(c, left);
            });
            timed(phases, "triggers", () -> execute(c, byPhase.getOrDefault(Phase.TRIGGERS, List.of())));
            timed(phases, "events", () -> execute(c, byPhase.getOrDefault(Phase.EVENTS, List.of())));
        } catch (SQLException e) {
            throw target.failure("restore into", e);
        }
    }

    /**
     * The manifest's CREATE TABLE statements, drawing from the sequences of the database they are
     * run in rather than from the source database's ({@link MySqlSchema#inAnyDatabase}).
     */
    static List<Ddl> tables(DatabaseManifest manifest) {
        List<Ddl> out = new ArrayList<>();
        for (Ddl d : manifest.schema()) {
            if (d.phase() == Phase.TABLES) {
                out.add(new Ddl(d.phase(), d.object(), MySqlSchema.inAnyDatabase(d.sql(), manifest.database()),
                        d.session()));
            }
        }
        return out;
    }

    /**
     * The sequences that {@code tables} draw their defaults from, as statements that create each one
     * where it is missing and then move it to its snapshot's next value (a sequence already there
     * keeps its own when that is higher).
     */
    static List<Ddl> sequencesFor(DatabaseManifest manifest, List<Ddl> tables) {
        List<Ddl> creates = new ArrayList<>();
        List<Ddl> values = new ArrayList<>();
        for (Ddl d : manifest.schema()) {
            if (d.phase() != Phase.SEQUENCES && d.phase() != Phase.SEQUENCE_VALUES) {
                continue;
            }
            String name = MySqlSchema.objectName(d);
            if (tables.stream().noneMatch(t -> t.sql().contains("nextval(" + ident(name) + ")"))) {
                continue;
            }
            if (d.phase() == Phase.SEQUENCES) {
                creates.add(new Ddl(d.phase(), d.object(), d.sql().replaceFirst("^CREATE SEQUENCE ",
                        "CREATE SEQUENCE IF NOT EXISTS "), d.session()));
            } else {
                values.add(d);
            }
        }
        creates.addAll(values);
        return creates;
    }

    private interface Step {
        void run() throws SQLException, IOException;
    }

    private static void timed(List<PhaseTime> phases, String name, Step step) throws IOException {
        long t0 = System.nanoTime();
        try {
            step.run();
        } catch (SQLException e) {
            throw new RkException(ErrorCode.FAILED, name + ": " + e.getMessage(), e);
        }
        phases.add(new PhaseTime(name, (System.nanoTime() - t0) / 1_000_000));
    }

    /** Runs one schema statement under the session settings it was captured with. */
    static void execute(Connection c, Ddl d) throws SQLException {
        try (Statement st = c.createStatement()) {
            if (d.session() != null) {
                for (Map.Entry<String, String> e : d.session().entrySet()) {
                    if (e.getValue() != null) {
                        st.execute("SET SESSION " + e.getKey() + " = " + MySqlConnect.literal(e.getValue()));
                    }
                }
            }
            try {
                st.execute(d.sql());
            } finally {
                if (d.session() != null) {
                    for (String s : MySqlConnect.SESSION) {
                        st.execute(s);
                    }
                }
            }
        }
    }

    static void execute(Connection c, List<Ddl> statements) throws SQLException {
        for (Ddl d : statements) {
            try {
                execute(c, d);
            } catch (SQLException e) {
                throw new RkException(ErrorCode.FAILED, "restore could not create " + d.object() + ": "
                        + e.getMessage() + " (statement: " + abbreviate(d.sql()) + ")", e);
            }
        }
    }

    /** Runs statements in rounds until none succeeds any more; returns those that never did. */
    static List<Ddl> tryAll(Connection c, List<Ddl> statements) {
        List<Ddl> pending = new ArrayList<>(statements);
        boolean progress = true;
        while (progress && !pending.isEmpty()) {
            progress = false;
            List<Ddl> failed = new ArrayList<>();
            for (Ddl d : pending) {
                try {
                    execute(c, d);
                    progress = true;
                } catch (SQLException e) {
                    failed.add(d);
                }
            }
            pending = failed;
        }
        return pending;
    }

    private void load(DatabaseManifest manifest, MySqlConnect target, int jobs, ConcurrentLinkedQueue<TableLoad> loaded,
                      ProgressListener progress) throws IOException {
        List<DatabaseManifest.Table> tables = manifest.tables().stream()
                .sorted(Comparator.comparingLong(DatabaseManifest.Table::bytes).reversed()).toList();
        boolean history = !SystemTime.withHistory(manifest).isEmpty();
        progress.total(tables.stream().mapToLong(DatabaseManifest.Table::bytes).sum(), tables.size());
        Map<String, Map<String, String>> types = columnTypes(target);
        ConcurrentLinkedQueue<DatabaseManifest.Table> queue = new ConcurrentLinkedQueue<>(tables);
        int workers = Math.max(1, Math.min(jobs, tables.size()));
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "mysql-restore");
            t.setDaemon(true);
            return t;
        });
        AtomicBoolean failed = new AtomicBoolean();
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                futures.add(pool.submit(() -> {
                    try (Connection c = target.open()) {
                        try (Statement st = c.createStatement()) {
                            st.execute("SET foreign_key_checks = 0");
                            st.execute("SET unique_checks = 0");
                            if (history) {
                                // row versions keep the start and end they were backed up with
                                st.execute("SET SESSION system_versioning_insert_history = 1");
                            }
                        }
                        DatabaseManifest.Table t;
                        while (!failed.get() && (t = queue.poll()) != null) {
                            loaded.add(loadTable(c, t, types.get(t.name()), tenantField(manifest, t), progress));
                        }
                    } catch (SQLException e) {
                        failed.set(true);
                        throw target.failure("restore into", e);
                    } catch (RuntimeException | IOException e) {
                        failed.set(true);
                        throw e;
                    }
                    return null;
                }));
            }
            for (Future<Void> f : futures) {
                MySqlBackup.await(f);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static int tenantField(DatabaseManifest manifest, DatabaseManifest.Table t) {
        return t.tenantRows() == null || manifest.tenantColumn() == null ? -1
                : t.columns().indexOf(manifest.tenantColumn());
    }

    /** Column data types of every table in the connection's database, by table and column. */
    static Map<String, Map<String, String>> columnTypes(MySqlConnect target) {
        Map<String, Map<String, String>> out = new HashMap<>();
        try (Connection c = target.open(); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS"
                     + " WHERE TABLE_SCHEMA = DATABASE()")) {
            while (r.next()) {
                out.computeIfAbsent(r.getString(1), k -> new HashMap<>()).put(r.getString(2), r.getString(3));
            }
        } catch (SQLException e) {
            throw target.failure("inspect", e);
        }
        return out;
    }

    /**
     * The {@code LOAD DATA} statement that reads row text into {@code table}: hex fields through
     * {@code UNHEX}, BIT fields as numbers.
     */
    static String loadStatement(String table, List<String> columns, Map<String, String> types) {
        StringBuilder list = new StringBuilder();
        List<String> set = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            String name = columns.get(i);
            Column col = Column.of(name, types == null ? "text" : types.getOrDefault(name, "text"));
            if (i > 0) {
                list.append(", ");
            }
            if (col.kind() == Column.Kind.TEXT) {
                list.append(ident(name));
            } else {
                list.append("@v").append(i);
                set.add(ident(name) + " = " + (col.kind() == Column.Kind.HEX ? "UNHEX(@v" + i + ")"
                        : "CAST(CONV(@v" + i + ", 16, 10) AS UNSIGNED)"));
            }
        }
        return "LOAD DATA LOCAL INFILE 'restorekit.rows' INTO TABLE " + table + " CHARACTER SET utf8mb4"
                + " FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (" + list + ")"
                + (set.isEmpty() ? "" : " SET " + String.join(", ", set));
    }

    /** Streams {@code in} (row text) into {@code table}; returns the rows the server took. */
    static long loadRows(Connection c, String table, List<String> columns, Map<String, String> types, InputStream in)
            throws SQLException {
        try (Statement st = c.createStatement()) {
            st.unwrap(org.mariadb.jdbc.Statement.class).setLocalInfileInputStream(in);
            // Warnings are not proof of a difference (a stored generated column rounding its value
            // warns the same way at every insert); re-reading the table and comparing digests is.
            return st.executeLargeUpdate(loadStatement(table, columns, types));
        }
    }

    private TableLoad loadTable(Connection c, DatabaseManifest.Table t, Map<String, String> types, int tenantField,
                                ProgressListener progress) throws IOException {
        // As for PostgreSQL: the stream's blobs are authenticated as they are read, so counting
        // rows and rows per tenant checks its assembly without hashing every row again.
        RowScanner scanner = RowScanner.counting(tenantField);
        long loaded;
        try {
            loaded = loadRows(c, ident(t.name()), t.columns(), types, TableData.rows(repository, t, scanner));
        } catch (SQLException e) {
            throw new RkException(ErrorCode.FAILED, "loading table '" + t.qualifiedName() + "' failed: "
                    + e.getMessage(), e);
        }
        TableLoad load = TableLoad.checked(t, tenantField, scanner, loaded);
        progress.advance(t.bytes(), 1);
        return load;
    }

    private static String abbreviate(String sql) {
        return sql.length() <= 200 ? sql : sql.substring(0, 200) + "...";
    }
}
