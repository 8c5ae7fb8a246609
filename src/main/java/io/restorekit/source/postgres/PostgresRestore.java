package io.restorekit.source.postgres;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;
import io.restorekit.source.postgres.DatabaseManifest.Ddl;
import io.restorekit.source.postgres.DatabaseManifest.Phase;
import org.postgresql.PGConnection;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.restorekit.source.postgres.PgConnect.ident;
import static io.restorekit.source.postgres.PgConnect.qualified;

/**
 * Recreates a database from a manifest: schema objects, then the data of every table loaded in
 * parallel with {@code COPY ... FROM STDIN}, each table's constraints and indexes built as soon
 * as its rows are in (while other tables still load), then foreign keys, sequence values, views,
 * triggers and comments. Each table's rows and digest are
 * checked against the manifest as they stream in.
 *
 * <p>A database this restore created is dropped again when the restore fails, and in one that
 * existed what it created is dropped (and what {@code --yes} replaced put back), so a
 * half-restored database never looks complete.
 */
public final class PostgresRestore {
    private static final String USER_TABLES = "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON"
            + " n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname NOT LIKE 'pg\\_%'"
            + " AND n.nspname <> 'information_schema'";

    private final Repository repository;

    public PostgresRestore(Repository repository) {
        this.repository = repository;
    }

    /**
     * @param jobs    parallel connections for data and index builds
     * @param replace permission to restore into a database that already holds tables
     *                ({@code --yes}): the objects of the snapshot's schemas there are set aside
     *                first, put back should the restore fail and dropped once it has succeeded
     * @param analyze gather planner statistics ({@code ANALYZE}) of every table at the end; without
     *                it autovacuum does so later, as after {@code pg_restore}
     */
    public record Options(int jobs, boolean replace, boolean analyze) {
        public Options(int jobs, boolean replace) {
            this(jobs, replace, false);
        }
    }

    public record PhaseTime(String phase, long durationMs) {
    }

    /**
     * What one table's load proved as it streamed in: the rows the server accepted, and the rows,
     * digest and per-tenant counts of the stream that was sent (the manifest's figures are the
     * expectation).
     *
     * @param tenantRows rows per tenant of the stream; empty when the table has no tenant column
     */
    public record TableLoad(String table, long rowsCopied, long rowsStreamed, String digest,
                            Map<String, Long> tenantRows) {
        public TableLoad {
            tenantRows = Map.copyOf(tenantRows);
        }

        /**
         * The load of {@code t}, once {@code scanner} (a {@link RowScanner#counting} one) has seen
         * its stream: its rows, and rows per tenant where the manifest counted them, must be the
         * manifest's. The stream's blobs were authenticated as they were read, so its digest is
         * the manifest's.
         */
        public static TableLoad checked(DatabaseManifest.Table t, int tenantField, RowScanner scanner, long loaded) {
            if (scanner.rows() != t.rows() || tenantField >= 0 && t.tenantRows() != null
                    && !scanner.tenants().equals(t.tenantRows())) {
                throw new RkException(ErrorCode.FAILED, "the stored rows of table '" + t.qualifiedName()
                        + "' do not match the snapshot's manifest (" + scanner.rows() + " rows read, " + t.rows()
                        + " expected, or other rows per tenant); run 'rk verify --read-data'");
            }
            return new TableLoad(t.qualifiedName(), loaded, scanner.rows(), t.digest(), scanner.tenants());
        }
    }

    /**
     * @param created        whether the database was created by this restore
     * @param existingTables tables the database held before; -1 when it was created
     * @param loaded         per table, what its load proved, in load order
     * @param droppedWith    objects outside the snapshot's schemas that were dropped with the objects
     *                       a {@code --yes} restore replaced, since they depended on them
     * @param referencesKept foreign keys of tables outside the snapshot's schemas that referenced
     *                       replaced tables: dropped with them, and created again on the restored ones
     */
    public record Result(String database, boolean created, long existingTables, List<PhaseTime> phases,
                         long tables, long rows, long bytes, long durationMs, List<TableLoad> loaded,
                         List<String> droppedWith, List<String> referencesKept) {
        public Result {
            phases = List.copyOf(phases);
            loaded = List.copyOf(loaded);
            droppedWith = List.copyOf(droppedWith);
            referencesKept = List.copyOf(referencesKept);
        }
    }

    /**
     * What a restore with {@code --yes} into a database holding the snapshot's schemas does beyond
     * them: the objects elsewhere it drops as they depend on what it replaces, and the foreign keys
     * of tables elsewhere that it creates again on the restored tables.
     */
    public record Beyond(List<String> droppedWith, List<String> referencesKept) {
        public Beyond {
            droppedWith = List.copyOf(droppedWith);
            referencesKept = List.copyOf(referencesKept);
        }
    }

    /** How many tables the target database holds, or -1 when it does not exist. */
    public static long tablesIn(PgConnect target) {
        try (Connection c = target.open(); Statement st = c.createStatement(); ResultSet r = st.executeQuery(USER_TABLES)) {
            r.next();
            return r.getLong(1);
        } catch (RkException e) {
            if (e.getCause() instanceof SQLException s && "3D000".equals(s.getSQLState())) {
                return -1;
            }
            throw e;
        } catch (SQLException e) {
            throw target.failure("inspect", e);
        }
    }

    public Result restore(DatabaseManifest manifest, PgConnect target, Options options, ProgressListener progress)
            throws IOException {
        long t0 = System.nanoTime();
        long existing = tablesIn(target);
        boolean created = false;
        if (existing < 0) {
            createDatabase(target);
            created = true;
        } else if (existing > 0 && !options.replace()) {
            throw new RkException(ErrorCode.FAILED, "database '" + target.database() + "' at '" + target.url()
                    + "' already holds " + existing + (existing == 1 ? " table" : " tables")
                    + "; nothing was changed. Restore into a new database, or pass --yes to replace the"
                    + " snapshot's schemas there");
        }
        RestoreGuard guard;
        try {
            guard = RestoreGuard.hold(target);
        } catch (RuntimeException e) {
            if (created) {
                dropDatabase(target, e);
            }
            throw e;
        }
        try (guard) {
            return restore(manifest, target, options, progress, t0, existing, created);
        }
    }

    /** The restore, once it holds the database against backups ({@link RestoreGuard}). */
    private Result restore(DatabaseManifest manifest, PgConnect target, Options options, ProgressListener progress,
                           long t0, long existing, boolean created) throws IOException {
        List<PhaseTime> phases = new ArrayList<>();
        // The objects of the schemas to replace are set aside, not dropped, until the restore has
        // succeeded: a restore that fails puts them back as they were. In a database without
        // tables, what those schemas hold is noted, and a restore that fails drops what it created.
        ReplacedSchemas aside = null;
        if (existing >= 0) {
            long started = System.nanoTime();
            try {
                aside = existing > 0 ? ReplacedSchemas.setAside(target, schemasOf(manifest))
                        : ReplacedSchemas.keep(target, schemasOf(manifest));
            } catch (SQLException e) {
                if ("55P03".equals(e.getSQLState())) {
                    throw new RkException(ErrorCode.FAILED, "the objects to replace in database '" + target.database()
                            + "' stayed locked by other sessions for " + ReplacedSchemas.lockTimeoutMs / 1000
                            + " s (" + e.getMessage() + "); nothing was changed. Stop what uses them (the"
                            + " application, other restores) and restore again", e);
                }
                RkException failure = target.failure("set aside the objects of", e);
                throw new RkException(failure.code(), failure.getMessage() + "; nothing was changed", e);
            }
            if (existing > 0) {
                phases.add(new PhaseTime("set the existing objects aside", (System.nanoTime() - started) / 1_000_000));
            }
        }
        ConcurrentLinkedQueue<TableLoad> loaded = new ConcurrentLinkedQueue<>();
        try {
            run(manifest, target, options, aside == null ? java.util.Set.of() : aside.kept(), phases, loaded,
                    progress);
        } catch (RuntimeException | IOException e) {
            if (created) {
                dropDatabase(target, e);
            }
            if (aside != null) {
                throw putBack(aside, target, e);
            }
            throw e;
        }
        Beyond beyond = aside == null || aside.asides().isEmpty() ? new Beyond(List.of(), List.of())
                : dropReplaced(aside, target, phases);
        long rows = manifest.tables().stream().mapToLong(DatabaseManifest.Table::rows).sum();
        long bytes = manifest.tables().stream().mapToLong(DatabaseManifest.Table::bytes).sum();
        return new Result(target.database(), created, existing, phases, manifest.tables().size(), rows, bytes,
                (System.nanoTime() - t0) / 1_000_000, List.copyOf(loaded), beyond.droppedWith(),
                beyond.referencesKept());
    }

    /**
     * What a restore with {@code --yes} into {@code target} would drop besides the objects of the
     * snapshot's schemas: the objects elsewhere that depend on them, and the foreign keys of tables
     * elsewhere it creates again (for its plan).
     */
    public static Beyond beyond(DatabaseManifest manifest, PgConnect target) {
        try (Connection c = target.open()) {
            java.util.Set<String> schemas = schemasOf(manifest);
            // the tables the restore creates: the snapshot's table statements (partitioned parents included)
            java.util.Set<String> restored = new java.util.HashSet<>();
            manifest.schema().stream().filter(d -> d.phase() == Phase.TABLES).forEach(d -> restored.add(d.object()));
            List<ReplacedSchemas.Reference> references = ReplacedSchemas.referencesOutside(c, schemas);
            List<String> names = references.stream().map(ReplacedSchemas.Reference::describe).toList();
            List<String> dropped = new ArrayList<>(ReplacedSchemas.dependentsOutside(c, schemas).stream()
                    .filter(d -> !names.contains(d)).toList());
            List<String> kept = new ArrayList<>();
            for (ReplacedSchemas.Reference r : references) {
                if (restored.contains("table " + r.schema() + "." + r.relation())) {
                    kept.add(r.describe());
                } else {
                    dropped.add(r.missing());
                }
            }
            return new Beyond(dropped, kept);
        } catch (SQLException e) {
            throw target.failure("inspect", e);
        }
    }

    /**
     * Drops the replaced objects and creates the foreign keys of tables elsewhere that referenced
     * them again; returns what went with them, and those keys.
     */
    private static Beyond dropReplaced(ReplacedSchemas aside, PgConnect target, List<PhaseTime> phases) {
        try {
            List<Beyond> beyond = new ArrayList<>();
            timed(phases, "drop the replaced objects", () -> {
                java.util.Set<String> references = aside.referenceNames();
                List<String> dropped = new ArrayList<>(aside.dependents().stream()
                        .filter(d -> !references.contains(d)).toList());
                aside.drop();
                ReplacedSchemas.Recreated recreated = aside.recreateReferences();
                dropped.addAll(recreated.lost());
                beyond.add(new Beyond(dropped, recreated.kept()));
            });
            return beyond.get(0);
        } catch (SQLException | IOException e) {
            throw new RkException(ErrorCode.FAILED, "database '" + target.database() + "' was restored, but"
                    + " dropping the objects it replaced failed (" + e.getMessage() + "); they are kept in schemas "
                    + String.join(", ", aside.asides())
                    + ", to drop with DROP SCHEMA ... CASCADE", e);
        }
    }

    /** The schemas a restore replaces: those it creates, and those its tables are in. */
    private static java.util.Set<String> schemasOf(DatabaseManifest manifest) {
        java.util.Set<String> schemas = new java.util.LinkedHashSet<>();
        manifest.schema().stream().filter(d -> d.phase() == Phase.SCHEMAS && schemaOf(d) != null)
                .forEach(d -> schemas.add(schemaOf(d)));
        manifest.tables().forEach(t -> schemas.add(t.schema()));
        return schemas;
    }

    /** The schema a statement of the schemas phase is about, or null. */
    private static String schemaOf(Ddl d) {
        return d.object().startsWith("schema ") ? d.object().substring("schema ".length()) : null;
    }

    /** Puts the replaced objects back after a failed restore; the failure to throw says how that went. */
    private static RkException putBack(ReplacedSchemas aside, PgConnect target, Exception e) {
        RkException failure = e instanceof RkException rk ? rk
                : e instanceof SQLException s ? target.failure("restore into", s)
                : new RkException(ErrorCode.FAILED, e.getMessage(), e);
        try {
            aside.putBack();
        } catch (RuntimeException | SQLException notBack) {
            e.addSuppressed(notBack);
            return new RkException(failure.code(), failure.getMessage() + "; the replaced objects of database '"
                    + target.database() + "' are kept in schemas " + String.join(", ", aside.movedAside().stream()
                    .map(m -> m.aside() + " (from " + m.schema() + ")").toList()) + " (putting them back failed: "
                    + notBack.getMessage() + ")", e);
        }
        return new RkException(failure.code(), failure.getMessage() + (aside.asides().isEmpty()
                ? "; what it had created in database '" + target.database() + "' was dropped"
                : "; the schemas of database '" + target.database() + "' were put back as they were"), e);
    }

    /** @param kept schemas that a replace kept (their objects set aside), so not created again */
    private void run(DatabaseManifest manifest, PgConnect target, Options options, java.util.Set<String> kept,
                     List<PhaseTime> phases, ConcurrentLinkedQueue<TableLoad> loaded, ProgressListener progress)
            throws IOException {
        Map<Phase, List<Ddl>> byPhase = new LinkedHashMap<>();
        for (Phase p : Phase.values()) {
            byPhase.put(p, new ArrayList<>());
        }
        manifest.schema().stream().filter(d -> !(d.phase() == Phase.SCHEMAS && kept.contains(schemaOf(d))
                && d.sql().regionMatches(true, 0, "CREATE SCHEMA", 0, "CREATE SCHEMA".length())))
                .forEach(d -> byPhase.get(d.phase()).add(d));
        try (Connection c = target.open()) {
            try (Statement st = c.createStatement()) {
                st.execute("SET check_function_bodies = false");
                st.execute("SET synchronous_commit = off");
            }
            List<Ddl> deferred = new ArrayList<>();
            for (Phase p : List.of(Phase.SCHEMAS, Phase.EXTENSIONS)) {
                timed(phases, name(p), () -> execute(c, byPhase.get(p)));
            }
            timed(phases, name(Phase.TYPES), () -> execute(c, tryAll(c, byPhase.get(Phase.TYPES))));
            timed(phases, name(Phase.SEQUENCES), () -> execute(c, byPhase.get(Phase.SEQUENCES)));
            // Functions come before tables (defaults, checks and generated columns may call them);
            // those whose signatures need a table's row type are retried after the views.
            timed(phases, name(Phase.FUNCTIONS), () -> deferred.addAll(tryAll(c, byPhase.get(Phase.FUNCTIONS))));
            for (Phase p : List.of(Phase.TABLES, Phase.SEQUENCE_OWNERSHIP)) {
                timed(phases, name(p), () -> execute(c, byPhase.get(p)));
            }
            // Each table's constraints and indexes are built as soon as its rows are in, on the
            // connection that is free, while the other connections still load: largest tables first.
            // Foreign keys between such tables are checked as soon as both tables are built.
            TableBuilds builds = TableBuilds.of(byPhase.get(Phase.CONSTRAINTS), byPhase.get(Phase.INDEXES),
                    byPhase.get(Phase.FOREIGN_KEYS), manifest.tables().stream()
                            .map(DatabaseManifest.Table::qualifiedName).collect(java.util.stream.Collectors.toSet()),
                    entangled(c));
            long t0 = System.nanoTime();
            LoadQueue queue = load(manifest, target, options.jobs(), builds, loaded, progress);
            long loadedAt = queue.loadedAt();
            phases.add(new PhaseTime("data", (loadedAt - t0) / 1_000_000));
            List<Ddl> laterConstraints = builds.later().stream().filter(d -> d.phase() == Phase.CONSTRAINTS).toList();
            parallel(target, options.jobs(), laterConstraints);
            parallel(target, options.jobs(), builds.later().stream().filter(d -> d.phase() != Phase.CONSTRAINTS)
                    .toList());
            phases.add(new PhaseTime("indexes", (System.nanoTime() - loadedAt) / 1_000_000));
            List<Ddl> keys = new ArrayList<>(queue.unchecked());
            keys.addAll(builds.laterKeys());
            timed(phases, name(Phase.FOREIGN_KEYS), () -> foreignKeys(c, target, options.jobs(), keys));
            timed(phases, name(Phase.SEQUENCE_VALUES), () -> execute(c, byPhase.get(Phase.SEQUENCE_VALUES)));
            timed(phases, name(Phase.VIEWS), () -> {
                List<Ddl> views = new ArrayList<>(byPhase.get(Phase.VIEWS));
                views.addAll(deferred);
                List<Ddl> left = tryAll(c, views);
                if (!left.isEmpty()) {
                    execute(c, left);
                }
            });
            for (Phase p : List.of(Phase.REFRESH, Phase.TRIGGERS, Phase.COMMENTS)) {
                timed(phases, name(p), () -> execute(c, byPhase.get(p)));
            }
            if (options.analyze()) {
                // Planner statistics for the restored rows, table by table on the parallel connections
                // (otherwise autovacuum gathers them later, as after pg_restore).
                timed(phases, "analyze", () -> parallel(target, options.jobs(), manifest.tables().stream()
                        .map(t -> new Ddl(Phase.COMMENTS, "statistics of " + t.qualifiedName(),
                                "ANALYZE " + qualified(t.schema(), t.name()))).toList()));
            }
        } catch (SQLException e) {
            throw target.failure("restore into", e);
        }
    }

    private static String name(Phase p) {
        return p.name().toLowerCase().replace('_', ' ');
    }

    private interface Step {
        void run() throws SQLException, IOException;
    }

    private static void timed(List<PhaseTime> phases, String name, Step step) throws SQLException, IOException {
        long t0 = System.nanoTime();
        step.run();
        phases.add(new PhaseTime(name, (System.nanoTime() - t0) / 1_000_000));
    }

    private static void execute(Connection c, List<Ddl> statements) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (Ddl d : statements) {
                try {
                    st.execute(d.sql());
                } catch (SQLException e) {
                    throw new RkException(ErrorCode.FAILED, "restore could not create " + d.object() + ": "
                            + e.getMessage() + " (statement: " + abbreviate(d.sql()) + ")", e);
                }
            }
        }
    }

    /**
     * Runs statements in rounds until none succeeds any more; returns those that never did. Inside
     * a transaction each statement has a savepoint, so that one failing leaves the transaction usable.
     */
    static List<Ddl> tryAll(Connection c, List<Ddl> statements) throws SQLException {
        List<Ddl> pending = new ArrayList<>(statements);
        boolean progress = true;
        boolean inTransaction = !c.getAutoCommit();
        try (Statement st = c.createStatement()) {
            while (progress && !pending.isEmpty()) {
                progress = false;
                List<Ddl> failed = new ArrayList<>();
                for (Ddl d : pending) {
                    java.sql.Savepoint savepoint = inTransaction ? c.setSavepoint() : null;
                    try {
                        st.execute(d.sql());
                        if (savepoint != null) {
                            c.releaseSavepoint(savepoint);
                        }
                        progress = true;
                    } catch (SQLException e) {
                        if (savepoint != null) {
                            c.rollback(savepoint);
                        }
                        failed.add(d);
                    }
                }
                pending = failed;
            }
        }
        return pending;
    }

    private static void createDatabase(PgConnect target) {
        try (Connection admin = target.withDatabase("postgres").open(); Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + ident(target.database()) + " TEMPLATE template0 ENCODING 'UTF8'");
        } catch (SQLException e) {
            throw target.failure("create database '" + target.database() + "' on", e);
        }
    }

    private static void dropDatabase(PgConnect target, Exception cause) {
        try (Connection admin = target.withDatabase("postgres").open(); Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + ident(target.database()) + " WITH (FORCE)");
        } catch (RuntimeException | SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Loads every table, largest first, on {@code jobs} connections; a connection with no table
     * left to load builds the constraints and indexes of tables already loaded (the most rows to
     * sort first), and checks the foreign keys between tables already built. Returns when all is
     * done.
     */
    private LoadQueue load(DatabaseManifest manifest, PgConnect target, int jobs, TableBuilds builds,
                           ConcurrentLinkedQueue<TableLoad> loaded, ProgressListener progress) throws IOException {
        List<DatabaseManifest.Table> tables = manifest.tables().stream()
                .sorted(Comparator.comparingLong(DatabaseManifest.Table::bytes).reversed()).toList();
        progress.total(tables.stream().mapToLong(DatabaseManifest.Table::bytes).sum(), tables.size());
        LoadQueue queue = new LoadQueue(tables, builds.early(), builds.earlyKeys());
        Object adding = new Object();
        inParallel(Math.min(jobs, tables.size()), target, c -> {
            try {
                LoadQueue.Job job;
                while ((job = queue.next()) != null) {
                    if (job.load() != null) {
                        DatabaseManifest.Table t = job.load();
                        loaded.add(copyIn(c, t, tenantField(manifest, t), progress));
                        queue.loaded(t);
                    } else if (job.build() != null) {
                        execute(c, job.build());
                        queue.built(job.table());
                    } else {
                        foreignKey(c, job.key(), adding);
                    }
                }
            } catch (SQLException | IOException | RuntimeException e) {
                queue.fail();
                throw e;
            }
        });
        return queue;
    }

    /**
     * Adds a foreign key {@code NOT VALID} (one connection at a time: the catalog change locks
     * both tables, and two keys in opposite directions must not wait for each other) and then
     * validates it; a key that cannot be added so is added whole.
     */
    private static void foreignKey(Connection c, Ddl d, Object adding) throws SQLException {
        String[] steps = validation(d.sql());
        if (steps == null) {
            execute(c, List.of(d));
            return;
        }
        synchronized (adding) {
            try (Statement st = c.createStatement()) {
                st.execute(steps[0]);
            } catch (SQLException e) {
                steps = null;
            }
        }
        execute(c, List.of(steps == null ? d : new Ddl(d.phase(), d.object(), steps[1])));
    }

    /** The work of the loading connections: tables to load, the builds of loaded tables, foreign keys. */
    private static final class LoadQueue {
        /** A table to load, or the statements building on a loaded table, or a foreign key to check. */
        record Job(DatabaseManifest.Table load, String table, List<Ddl> build, Ddl key) {
        }

        private final java.util.ArrayDeque<DatabaseManifest.Table> loads;
        private final Map<String, List<Ddl>> builds;
        private final java.util.PriorityQueue<DatabaseManifest.Table> ready;
        private final List<TableBuilds.ForeignKey> waiting;
        private final java.util.ArrayDeque<Ddl> keys = new java.util.ArrayDeque<>();
        private final java.util.Set<String> built = new java.util.HashSet<>();
        private int loading;
        private int building;
        private boolean failed;
        private long loadedAt = System.nanoTime();

        LoadQueue(List<DatabaseManifest.Table> largestFirst, Map<String, List<Ddl>> builds,
                  List<TableBuilds.ForeignKey> keys) {
            this.loads = new java.util.ArrayDeque<>(largestFirst);
            this.builds = builds;
            // Building an index sorts the table's rows: the work grows with rows times indexes.
            this.ready = new java.util.PriorityQueue<>(Comparator.comparingLong(
                    (DatabaseManifest.Table t) -> t.rows() * builds.get(t.qualifiedName()).size()).reversed());
            this.waiting = new ArrayList<>(keys);
        }

        /** The next job; waits while only work in progress could make one; null when all is done. */
        synchronized Job next() throws IOException {
            while (!failed) {
                if (!loads.isEmpty()) {
                    loading++;
                    return new Job(loads.poll(), null, null, null);
                }
                if (!ready.isEmpty()) {
                    String table = ready.poll().qualifiedName();
                    building++;
                    return new Job(null, table, builds.get(table), null);
                }
                if (!keys.isEmpty()) {
                    return new Job(null, null, null, keys.poll());
                }
                if (loading == 0 && building == 0) {
                    return null;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
            return null;
        }

        synchronized void loaded(DatabaseManifest.Table t) {
            loading--;
            if (builds.containsKey(t.qualifiedName())) {
                ready.add(t);
            } else {
                done(t.qualifiedName());
            }
            if (loading == 0 && loads.isEmpty()) {
                loadedAt = System.nanoTime();
            }
            notifyAll();
        }

        synchronized void built(String table) {
            building--;
            done(table);
            notifyAll();
        }

        /** {@code table} is loaded and built: the foreign keys between it and built tables are due. */
        private void done(String table) {
            built.add(table);
            for (java.util.Iterator<TableBuilds.ForeignKey> i = waiting.iterator(); i.hasNext(); ) {
                TableBuilds.ForeignKey k = i.next();
                if (built.contains(k.table()) && built.contains(k.referenced())) {
                    keys.add(k.ddl());
                    i.remove();
                }
            }
        }

        synchronized void fail() {
            failed = true;
            notifyAll();
        }

        synchronized long loadedAt() {
            return loadedAt;
        }

        /** Foreign keys that were never due (for the foreign key phase). */
        synchronized List<Ddl> unchecked() {
            List<Ddl> out = new ArrayList<>(waiting.stream().map(TableBuilds.ForeignKey::ddl).toList());
            out.addAll(keys);
            return out;
        }
    }

    /** Tables ({@code schema.name}) of partition or inheritance trees in the target database. */
    private static java.util.Set<String> entangled(Connection c) throws SQLException {
        java.util.Set<String> out = new java.util.HashSet<>();
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT n.nspname, c.relname"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'p'"
                + " OR c.relispartition OR EXISTS (SELECT 1 FROM pg_inherits i"
                + " WHERE i.inhrelid = c.oid OR i.inhparent = c.oid)")) {
            while (r.next()) {
                out.add(r.getString(1) + "." + r.getString(2));
            }
        }
        return out;
    }

    /** The COPY field holding the tenant, or -1 when the manifest counted no tenants for {@code t}. */
    private static int tenantField(DatabaseManifest manifest, DatabaseManifest.Table t) {
        return t.tenantRows() == null || manifest.tenantColumn() == null ? -1
                : t.columns().indexOf(manifest.tenantColumn());
    }

    private TableLoad copyIn(Connection c, DatabaseManifest.Table t, int tenantField, ProgressListener progress)
            throws SQLException, IOException {
        // Every blob of the stream is authenticated and its keyed id recomputed as it is read, so
        // the rows sent are the rows the backup stored and digested: counting them (and their
        // tenants) checks the stream's assembly; hashing every row again would take the CPU
        // the server needs to load them. verify --read-data and drills recompute the digests.
        RowScanner scanner = RowScanner.counting(tenantField);
        long copied;
        String table = qualified(t.schema(), t.name());
        // The table is emptied in the loading transaction so that COPY may write its rows frozen:
        // no hint bits to set and no freezing vacuum later, as if the rows had always been there.
        String sql = "COPY " + table + PostgresBackup.columnList(t.columns()) + " FROM STDIN WITH (FREEZE)";
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("TRUNCATE ONLY " + table);
            copied = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql,
                    TableData.rows(repository, t, scanner), 1 << 16);
            c.commit();
        } catch (SQLException e) {
            rollback(c, e);
            throw new RkException(ErrorCode.FAILED, "loading table '" + t.qualifiedName() + "' failed: "
                    + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            rollback(c, e);
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
        TableLoad load = TableLoad.checked(t, tenantField, scanner, copied);
        progress.advance(t.bytes(), 1);
        return load;
    }

    private static final java.util.regex.Pattern ADD_CONSTRAINT = java.util.regex.Pattern.compile(
            "^ALTER TABLE (.+?) ADD CONSTRAINT (\"(?:[^\"]|\"\")*\"|[^\\s\"]+) FOREIGN KEY .*", java.util.regex.Pattern.DOTALL);

    /**
     * A foreign key's two steps, adding it {@code NOT VALID} and validating it; null when the
     * statement is not a plain {@code ADD CONSTRAINT ... FOREIGN KEY} or the key was not valid in
     * the source (then it stays so).
     */
    static String[] validation(String sql) {
        String s = sql.strip();
        if (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        java.util.regex.Matcher m = ADD_CONSTRAINT.matcher(s);
        if (s.endsWith(" NOT VALID") || !m.matches()) {
            return null;
        }
        return new String[] {s + " NOT VALID", "ALTER TABLE " + m.group(1) + " VALIDATE CONSTRAINT " + m.group(2)};
    }

    /**
     * Foreign keys are added {@code NOT VALID} (a catalog change, no scan) and then validated in
     * parallel: validation takes only SHARE UPDATE EXCLUSIVE on the table and ROW SHARE on the one
     * it references, so keys referencing the same table check at the same time, where adding them
     * whole would queue them one behind the other. Keys that were not valid in the source stay so.
     */
    private static void foreignKeys(Connection c, PgConnect target, int jobs, List<Ddl> keys)
            throws SQLException, IOException {
        List<Ddl> validations = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            for (Ddl d : keys) {
                String[] steps = validation(d.sql());
                if (steps == null) {
                    execute(c, List.of(d));
                    continue;
                }
                try {
                    st.execute(steps[0]);
                } catch (SQLException e) {
                    // e.g. partitioned tables before PostgreSQL 18: added whole instead
                    execute(c, List.of(d));
                    continue;
                }
                validations.add(new Ddl(d.phase(), d.object(), steps[1]));
            }
        }
        parallel(target, jobs, validations);
    }

    /** Rolls {@code c}'s transaction back after {@code cause}; a failure to do so is added to {@code cause}. */
    static void rollback(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** Builds independent statements (constraints of one kind, indexes) on several connections. */
    private static void parallel(PgConnect target, int jobs, List<Ddl> statements) throws IOException {
        if (statements.isEmpty()) {
            return;
        }
        ConcurrentLinkedQueue<Ddl> queue = new ConcurrentLinkedQueue<>(statements);
        inParallel(Math.min(jobs, statements.size()), target, c -> {
            Ddl d;
            while ((d = queue.poll()) != null) {
                execute(c, List.of(d));
            }
        });
    }

    private interface Work {
        void run(Connection c) throws SQLException, IOException;
    }

    private static void inParallel(int workers, PgConnect target, Work work) throws IOException {
        if (workers <= 0) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "pg-restore");
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
                            st.execute("SET synchronous_commit = off");
                            st.execute("SET maintenance_work_mem = '256MB'");
                        }
                        if (!failed.get()) {
                            work.run(c);
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
                io.restorekit.common.Futures.await(f);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static String abbreviate(String sql) {
        return sql.length() <= 200 ? sql : sql.substring(0, 200) + "...";
    }

    static long count(Connection c, String sql) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql); ResultSet r = st.executeQuery()) {
            r.next();
            return r.getLong(1);
        }
    }
}
