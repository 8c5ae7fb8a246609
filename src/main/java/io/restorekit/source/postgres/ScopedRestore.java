package io.restorekit.source.postgres;

import io.restorekit.common.BadInputException;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;
import io.restorekit.source.postgres.DatabaseManifest.Ddl;
import io.restorekit.source.postgres.DatabaseManifest.ForeignKey;
import io.restorekit.source.postgres.DatabaseManifest.Phase;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.postgresql.util.PSQLException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static io.restorekit.source.postgres.PgConnect.ident;
import static io.restorekit.source.postgres.PgConnect.literal;

/**
 * Restores part of a database snapshot: one tenant's rows, one module's tables, or both.
 *
 * <p>Only the tables in scope are read, and within a tenant-grouped table only the chunks
 * holding that tenant's rows ({@link DatabaseManifest.Table#tenantChunks()}). Rows are matched by
 * primary key against the database: those the snapshot lacks are deleted, those that differ are
 * updated, those missing are inserted, the rest are left alone. An in-place apply runs in one
 * transaction, deleting children before parents and inserting parents before children, and never
 * moves a sequence backwards; any failure rolls all of it back.
 */
public final class ScopedRestore {
    private final Repository repository;
    private final int jobs;

    /** @param jobs connections reading the database's current rows at once (the source's {@code jobs}) */
    public ScopedRestore(Repository repository, int jobs) {
        this.repository = repository;
        this.jobs = Math.max(1, jobs);
    }

    public ScopedRestore(Repository repository) {
        this(repository, 2);
    }

    /**
     * @param tenant       a tenant id as stored (raw COPY text of the tenant column); null for every row
     * @param module       the module's name (for messages); null when no module is given
     * @param moduleTables the module's tables ({@code name} or {@code schema.name}); null for every table
     */
    public record Scope(String tenant, String module, List<String> moduleTables) {
        public Scope {
            moduleTables = moduleTables == null ? null : List.copyOf(moduleTables);
        }

        public boolean whole() {
            return tenant == null && moduleTables == null;
        }
    }

    /**
     * What happens to one table's rows in scope.
     *
     * @param snapshotRows rows in scope in the snapshot
     * @param currentRows  rows in scope in the database now (0 for a new target)
     * @param bytesRead    plaintext bytes of the chunks read from the repository
     * @param chunksRead   chunks read, out of {@code chunks}
     */
    public record TablePlan(String table, long snapshotRows, long currentRows, long toDelete, long toUpdate,
                            long toInsert, long unchanged, long chunksRead, long chunks, long bytesRead,
                            long tableBytes) {
    }

    /**
     * @param tables     tables in scope, in foreign-key order (parents first)
     * @param notes      tables of the module left out, schema objects not recreated in a target
     * @param tableBytes the length of every table stream in the snapshot (what a whole restore reads)
     * @param bytesRead  what this restore read
     * @param applied    whether the database was changed
     * @param created    whether the target database was created
     */
    public record Outcome(String database, List<TablePlan> tables, List<String> notes, long tableBytes,
                          long bytesRead, boolean applied, boolean created, long durationMs) {
        public Outcome {
            tables = List.copyOf(tables);
            notes = List.copyOf(notes);
        }

        public long total(java.util.function.ToLongFunction<TablePlan> count) {
            return tables.stream().mapToLong(count).sum();
        }
    }

    /** One table in scope, and how its tenant's rows are found (null: every row). */
    private record Selected(DatabaseManifest.Table table, TenantJoin join) {
        String name() {
            return table.qualifiedName();
        }
    }

    private record Diff(Selected selected, TablePlan plan, List<String> deleteKeys, List<String> updates,
                        List<String> inserts, boolean replaceAll, List<String> allSnapshotLines) {
    }

    /** The tables a scope covers; {@link BadInputException} for an unknown tenant or table. */
    private static List<Selected> resolve(DatabaseManifest m, Scope scope, List<String> notes) {
        if (!m.scoped()) {
            throw new BadInputException("this snapshot was taken before restorekit recorded foreign keys and"
                    + " tenant chunks, so it serves whole restores only (--target JDBC-URL without --tenant or"
                    + " --module); back up again to restore by tenant or module");
        }
        List<DatabaseManifest.Table> tables = new ArrayList<>();
        if (scope.moduleTables() == null) {
            tables.addAll(m.tables());
        } else {
            for (String name : scope.moduleTables()) {
                List<DatabaseManifest.Table> found = m.tables().stream()
                        .filter(t -> t.name().equals(name) || t.qualifiedName().equals(name)).toList();
                if (found.isEmpty()) {
                    throw new BadInputException("module '" + scope.module() + "' names table '" + name
                            + "', which the snapshot does not hold; its tables: " + m.tables().stream()
                            .map(DatabaseManifest.Table::qualifiedName).sorted().collect(Collectors.joining(", "))
                            + "; fix 'modules." + scope.module() + ".tables' in the configuration");
                }
                if (found.size() > 1) {
                    throw new BadInputException("module '" + scope.module() + "' names table '" + name
                            + "', which is ambiguous in the snapshot (" + found.stream()
                            .map(DatabaseManifest.Table::qualifiedName).collect(Collectors.joining(", "))
                            + "); give it as schema.name");
                }
                if (!tables.contains(found.get(0))) {
                    tables.add(found.get(0));
                }
            }
        }
        if (scope.tenant() != null) {
            boolean known = m.tables().stream().anyMatch(t -> t.holdsTenant(scope.tenant()));
            if (!known) {
                Set<String> tenants = new TreeSet<>(Comparator.comparing(String::length)
                        .thenComparing(Comparator.naturalOrder()));
                m.tables().stream().filter(t -> t.tenantChunks() != null)
                        .forEach(t -> tenants.addAll(t.tenantChunks().keySet()));
                throw new BadInputException("tenant '" + scope.tenant() + "' has no rows in the snapshot (tenant"
                        + " column '" + m.tenantColumn() + "'); tenants there: " + (tenants.isEmpty() ? "none"
                        : tenants.stream().limit(30).collect(Collectors.joining(", "))
                        + (tenants.size() > 30 ? ", ..." : "")));
            }
        }
        List<Selected> out = new ArrayList<>();
        for (DatabaseManifest.Table t : tables) {
            if (scope.tenant() == null) {
                out.add(new Selected(t, null));
            } else if (t.groupedByTenant()) {
                out.add(new Selected(t, TenantJoin.of(m, t)));
            } else if (scope.moduleTables() != null) {
                notes.add("table " + t.qualifiedName() + " of module '" + scope.module() + "' has no tenant column"
                        + " and no foreign key leading to one: left out of the tenant restore");
            }
        }
        return ordered(out, m.foreignKeys());
    }

    /** Parents before children (foreign keys among the tables in scope); cycles keep name order. */
    private static List<Selected> ordered(List<Selected> tables, List<ForeignKey> foreignKeys) {
        Map<String, Selected> byName = new LinkedHashMap<>();
        tables.stream().sorted(Comparator.comparing(Selected::name)).forEach(s -> byName.put(s.name(), s));
        Map<String, Set<String>> parents = new HashMap<>();
        for (ForeignKey fk : foreignKeys) {
            if (byName.containsKey(fk.table()) && byName.containsKey(fk.references())
                    && !fk.table().equals(fk.references())) {
                parents.computeIfAbsent(fk.table(), k -> new TreeSet<>()).add(fk.references());
            }
        }
        List<Selected> out = new ArrayList<>();
        Set<String> done = new java.util.HashSet<>();
        boolean progress = true;
        while (out.size() < byName.size() && progress) {
            progress = false;
            for (Selected s : byName.values()) {
                if (!done.contains(s.name()) && done.containsAll(parents.getOrDefault(s.name(), Set.of()))) {
                    out.add(s);
                    done.add(s.name());
                    progress = true;
                }
            }
        }
        byName.values().stream().filter(s -> !done.contains(s.name())).forEach(out::add);
        return out;
    }

    /** What an in-place restore would change in {@code database}; changes nothing. */
    public Outcome plan(DatabaseManifest m, Scope scope, PgConnect database, ProgressListener progress)
            throws IOException {
        long t0 = System.nanoTime();
        List<String> notes = new ArrayList<>();
        List<Selected> selected = resolve(m, scope, notes);
        try (Connection c = database.open()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            List<Diff> diffs = diffs(c, database, scope, selected, progress);
            c.rollback();
            return outcome(database, m, diffs, notes, false, false, t0);
        } catch (SQLException e) {
            throw database.failure("plan the restore into", e);
        }
    }

    /** Applies the scope's rows of the snapshot to {@code database} in one transaction. */
    public Outcome applyInPlace(DatabaseManifest m, Scope scope, PgConnect database, ProgressListener progress)
            throws IOException {
        long t0 = System.nanoTime();
        List<String> notes = new ArrayList<>();
        List<Selected> selected = resolve(m, scope, notes);
        try (Connection c = database.open()) {
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    st.execute("SET LOCAL lock_timeout = '60s'");
                    // Writers of these tables wait until the restore commits; readers go on.
                    for (Selected s : selected.stream().sorted(Comparator.comparing(Selected::name)).toList()) {
                        st.execute("LOCK TABLE ONLY " + TenantJoin.quoted(s.name()) + " IN SHARE ROW EXCLUSIVE MODE");
                    }
                }
                List<Diff> diffs = diffs(c, database, scope, selected, progress);
                for (int i = diffs.size() - 1; i >= 0; i--) {
                    delete(c, diffs.get(i), scope);
                }
                for (Diff d : diffs) {
                    write(c, d);
                }
                for (Diff d : diffs) {
                    advanceSequences(c, d.selected().table());
                }
                c.commit();
                return outcome(database, m, diffs, notes, true, false, t0);
            } catch (SQLException | RuntimeException | IOException e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                if (e instanceof SQLException sql) {
                    throw applyFailure(database, sql);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw database.failure("restore into", e);
        }
    }

    private static RkException applyFailure(PgConnect database, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String detail = e instanceof PSQLException p && p.getServerErrorMessage() != null
                && p.getServerErrorMessage().getDetail() != null ? " (" + p.getServerErrorMessage().getDetail() + ")" : "";
        String message = e instanceof PSQLException p && p.getServerErrorMessage() != null
                ? p.getServerErrorMessage().getMessage() : e.getMessage();
        String rolledBack = "; the transaction was rolled back, nothing was changed";
        if (state.equals("23503")) {
            return new RkException(ErrorCode.FAILED, "the restore into '" + database.url() + "' would break a"
                    + " foreign key: " + message + detail + rolledBack + ". A row outside the scope (another"
                    + " tenant's, or a table outside the module) references a row being removed, or a restored"
                    + " row references one that no longer exists; widen the scope or fix that row first", e);
        }
        if (state.equals("23505")) {
            return new RkException(ErrorCode.FAILED, "the restore into '" + database.url() + "' would duplicate"
                    + " a unique key: " + message + detail + rolledBack + ". A row outside the scope now holds a"
                    + " value a restored row needs", e);
        }
        if (state.equals("55P03")) {
            return new RkException(ErrorCode.FAILED, "the tables to restore in '" + database.url()
                    + "' stayed locked by other sessions for 60 s" + rolledBack + "; try again", e);
        }
        RkException failure = database.failure("restore into", e);
        return new RkException(failure.code(), failure.getMessage() + rolledBack, e);
    }

    /**
     * Writes the scope's tables and rows into another database (created when missing): the tables'
     * schema, their rows, then their constraints, indexes and the foreign keys among them.
     *
     * @param replace drop tables of the scope that the target already holds ({@code --yes})
     */
    public Outcome restoreInto(DatabaseManifest m, Scope scope, PgConnect target, boolean replace, boolean dryRun,
                               ProgressListener progress) throws IOException {
        long t0 = System.nanoTime();
        List<String> notes = new ArrayList<>();
        List<Selected> selected = resolve(m, scope, notes);
        long existing = PostgresRestore.tablesIn(target);
        boolean created = false;
        if (!dryRun && existing < 0) {
            try (Connection admin = target.withDatabase("postgres").open(); Statement st = admin.createStatement()) {
                st.execute("CREATE DATABASE " + ident(target.database()) + " TEMPLATE template0 ENCODING 'UTF8'");
            } catch (SQLException e) {
                throw target.failure("create database '" + target.database() + "' on", e);
            }
            created = true;
        }
        List<Diff> diffs = new ArrayList<>();
        if (existing < 0 && dryRun) {
            for (Selected s : selected) {
                diffs.add(intoNew(s, scope, progress));
            }
            notes.add("database '" + target.database() + "' does not exist; it will be created");
            return outcome(target, m, diffs, notes, false, false, t0);
        }
        try (Connection c = target.open()) {
            List<String> present = new ArrayList<>();
            for (Selected s : selected) {
                try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?)")) {
                    ps.setString(1, TenantJoin.quoted(s.name()));
                    try (ResultSet r = ps.executeQuery()) {
                        if (r.next() && r.getString(1) != null) {
                            present.add(s.name());
                        }
                    }
                }
            }
            if (!present.isEmpty() && !replace) {
                throw new RkException(ErrorCode.FAILED, "database '" + target.database() + "' at '" + target.url()
                        + "' already holds " + String.join(", ", present) + "; nothing was changed. Restore into"
                        + " another database, or pass --yes to replace those tables there");
            }
            for (Selected s : selected) {
                diffs.add(intoNew(s, scope, progress));
            }
            // What dropping the tables it replaces drops too: the foreign keys of other tables that
            // reference them are created again on the restored tables; anything else is named.
            List<String> quoted = present.stream().map(TenantJoin::quoted).toList();
            List<ReplacedSchemas.Reference> references = present.isEmpty() ? List.of()
                    : ReplacedSchemas.referencesTo(c, quoted);
            if (!present.isEmpty()) {
                Set<String> keys = references.stream().map(ReplacedSchemas.Reference::describe)
                        .collect(Collectors.toSet());
                List<String> droppedWith = ReplacedSchemas.dependentsOfTables(c, quoted).stream()
                        .filter(d -> !keys.contains(d)).toList();
                notes.add("tables replaced in the target: " + String.join(", ", present)
                        + (droppedWith.isEmpty() ? "" : "; dropped with them, as they depend on them: "
                        + String.join(", ", droppedWith))
                        + (references.isEmpty() ? "" : "; the foreign keys of other tables that reference them are"
                        + " created again on the restored ones: " + String.join(", ", references.stream()
                        .map(ReplacedSchemas.Reference::describe).toList())));
            }
            if (dryRun) {
                return outcome(target, m, diffs, notes, false, false, t0);
            }
            Map<Phase, List<Ddl>> byPhase = new LinkedHashMap<>();
            for (Phase p : Phase.values()) {
                byPhase.put(p, new ArrayList<>());
            }
            m.schema().forEach(d -> byPhase.get(d.phase()).add(d));
            // One transaction: the tables it replaces (--yes) come back should anything fail.
            c.setAutoCommit(false);
            try {
                Set<String> objects = selected.stream().map(s -> "table " + s.name()).collect(Collectors.toSet());
                try (Statement st = c.createStatement()) {
                    st.execute("SET check_function_bodies = false");
                    for (String p : present) {
                        st.execute("DROP TABLE IF EXISTS " + TenantJoin.quoted(p) + " CASCADE");
                    }
                }
                for (Phase p : List.of(Phase.SCHEMAS, Phase.EXTENSIONS, Phase.TYPES, Phase.SEQUENCES,
                        Phase.FUNCTIONS)) {
                    PostgresRestore.tryAll(c, byPhase.get(p));
                }
                List<Ddl> tables = byPhase.get(Phase.TABLES).stream().filter(d -> objects.contains(d.object()))
                        .toList();
                for (Ddl d : PostgresRestore.tryAll(c, tables)) {
                    notes.add("not recreated: " + d.object());
                }
                PostgresRestore.tryAll(c, byPhase.get(Phase.SEQUENCE_OWNERSHIP));
                for (Diff d : diffs) {
                    copyIn(c, d.selected().table(), d.allSnapshotLines());
                }
                Set<String> scoped = selected.stream().map(Selected::name).collect(Collectors.toSet());
                List<Ddl> constraints = byPhase.get(Phase.CONSTRAINTS).stream()
                        .filter(d -> scoped.stream().anyMatch(t -> d.object().equals("table " + t)
                                || d.object().endsWith(" on " + t))).toList();
                PostgresRestore.tryAll(c, constraints);
                // Index objects do not name their table: those on tables outside the scope simply fail.
                PostgresRestore.tryAll(c, byPhase.get(Phase.INDEXES));
                List<Ddl> foreign = new ArrayList<>();
                for (ForeignKey fk : m.foreignKeys()) {
                    if (scoped.contains(fk.table()) && scoped.contains(fk.references())) {
                        byPhase.get(Phase.FOREIGN_KEYS).stream()
                                .filter(d -> d.object().equals("constraint " + fk.name() + " on " + fk.table()))
                                .forEach(foreign::add);
                    }
                }
                for (Ddl d : PostgresRestore.tryAll(c, foreign)) {
                    notes.add("not recreated: " + d.object() + " (the restored rows reference rows outside the scope)");
                }
                PostgresRestore.tryAll(c, byPhase.get(Phase.SEQUENCE_VALUES));
                notes.addAll(ReplacedSchemas.recreateInTransaction(c, references));
                c.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                PostgresRestore.rollback(c, e);
                if (e instanceof SQLException s) {
                    throw applyFailure(target, s);
                }
                RkException failure = e instanceof RkException rk ? rk : new RkException(ErrorCode.FAILED,
                        String.valueOf(e.getMessage()), e);
                throw new RkException(failure.code(), failure.getMessage() + "; the transaction was rolled back,"
                        + " nothing was changed", e);
            }
            return outcome(target, m, diffs, notes, true, created, t0);
        } catch (SQLException e) {
            throw target.failure("restore into", e);
        } catch (RuntimeException | IOException e) {
            if (created) {
                try (Connection admin = target.withDatabase("postgres").open();
                     Statement st = admin.createStatement()) {
                    st.execute("DROP DATABASE IF EXISTS " + ident(target.database()) + " WITH (FORCE)");
                } catch (RuntimeException | SQLException dropped) {
                    e.addSuppressed(dropped);
                }
            }
            throw e;
        }
    }

    private Diff intoNew(Selected s, Scope scope, ProgressListener progress) throws IOException {
        Snapshot snap = snapshotRows(s, scope);
        progress.advance(snap.bytes, 1);
        TablePlan plan = new TablePlan(s.name(), snap.lines.size(), 0, 0, 0, snap.lines.size(), 0, snap.chunksRead,
                s.table().blobs().size(), snap.bytes, s.table().bytes());
        return new Diff(s, plan, List.of(), List.of(), snap.lines, false, snap.lines);
    }

    private Outcome outcome(PgConnect database, DatabaseManifest m, List<Diff> diffs, List<String> notes,
                            boolean applied, boolean created, long t0) {
        List<TablePlan> plans = diffs.stream().map(Diff::plan).toList();
        return new Outcome(database.database(), plans, notes,
                m.tables().stream().mapToLong(DatabaseManifest.Table::bytes).sum(),
                plans.stream().mapToLong(TablePlan::bytesRead).sum(), applied, created,
                (System.nanoTime() - t0) / 1_000_000);
    }

    private record Snapshot(List<String> lines, long bytes, long chunksRead) {
    }

    /** The scope's rows of one table as stored, reading only the chunks that hold them. */
    private Snapshot snapshotRows(Selected s, Scope scope) throws IOException {
        DatabaseManifest.Table t = s.table();
        RowScanner scanner = RowScanner.bytesOnly();
        List<String> lines = new ArrayList<>();
        try (InputStream in = scope.tenant() == null ? TableData.rows(repository, t, scanner)
                : TableData.tenantRows(repository, t, scope.tenant(), scanner)) {
            // Lines are decoded straight from the buffer; only one that spans two reads is put together.
            ByteArrayOutputStream partial = new ByteArrayOutputStream(256);
            byte[] buffer = new byte[1 << 18];
            int n;
            while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        if (partial.size() > 0) {
                            partial.write(buffer, start, i - start);
                            lines.add(partial.toString(StandardCharsets.UTF_8));
                            partial.reset();
                        } else {
                            lines.add(new String(buffer, start, i - start, StandardCharsets.UTF_8));
                        }
                        start = i + 1;
                    }
                }
                partial.write(buffer, start, n - start);
            }
        }
        long expected = scope.tenant() == null ? t.rows() : t.tenantRows().getOrDefault(scope.tenant(), 0L);
        if (lines.size() != expected) {
            throw new RkException(ErrorCode.FAILED, "the stored rows of table '" + t.qualifiedName() + "' do not"
                    + " match the snapshot's manifest (" + lines.size() + " read, " + expected + " expected);"
                    + " run 'rk verify --read-data'");
        }
        return new Snapshot(lines, scanner.bytes(), TableData.chunksRead(t, scope.tenant()));
    }

    /**
     * Compares the scope's stored rows with the database's, table by table. The snapshot's rows are
     * read (decrypted, decompressed) on one thread while up to {@code jobs} connections stream the
     * current rows of different tables at once, all in the snapshot of {@code c}'s transaction
     * ({@code pg_export_snapshot}), so the plan is of one moment however many connections read it.
     */
    private List<Diff> diffs(Connection c, PgConnect database, Scope scope, List<Selected> selected,
                             ProgressListener progress) throws SQLException, IOException {
        progress.total(selected.stream().mapToLong(s -> s.table().bytes()).sum(), selected.size());
        int workers = Math.max(1, Math.min(jobs, selected.size()));
        ExecutorService reader = Executors.newFixedThreadPool(workers, daemon("scoped-restore-read"));
        ExecutorService comparers = Executors.newFixedThreadPool(workers, daemon("scoped-restore-compare"));
        java.util.concurrent.BlockingQueue<Connection> connections = new java.util.concurrent.LinkedBlockingQueue<>();
        List<Connection> extra = new ArrayList<>();
        try {
            connections.add(c);
            if (workers > 1) {
                String snapshot;
                try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT pg_export_snapshot()")) {
                    r.next();
                    snapshot = r.getString(1);
                }
                for (int i = 1; i < workers; i++) {
                    Connection w = database.open();
                    extra.add(w);
                    w.setAutoCommit(false);
                    try (Statement st = w.createStatement()) {
                        st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                        st.execute("SET TRANSACTION SNAPSHOT " + literal(snapshot));
                    }
                    connections.add(w);
                }
            }
            // The stored rows are read on as many threads as there are connections, and the
            // connections read the current rows without waiting for them: the server's scans and
            // the repository's reads overlap. The largest tables start first, so that the last one
            // to finish is a small one.
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < selected.size(); i++) {
                order.add(i);
            }
            order.sort(Comparator.comparingLong((Integer i) -> -selected.get(i).table().bytes()));
            List<Future<Snapshot>> snapshots = new ArrayList<>(java.util.Collections.nCopies(selected.size(), null));
            for (int i : order) {
                Selected s = selected.get(i);
                snapshots.set(i, reader.submit(() -> snapshotRows(s, scope)));
            }
            List<Future<List<String>>> current = new ArrayList<>(java.util.Collections.nCopies(selected.size(), null));
            for (int i : order) {
                Selected s = selected.get(i);
                current.set(i, comparers.submit(() -> {
                    Connection own = connections.take();
                    try {
                        return currentRows(own, s, scope);
                    } finally {
                        connections.add(own);
                    }
                }));
            }
            List<Diff> out = new ArrayList<>();
            for (int i = 0; i < selected.size(); i++) {
                Snapshot snap = await(snapshots.get(i));
                Diff d = diff(selected.get(i), snap, awaitRows(current.get(i)));
                out.add(d);
                progress.advance(d.plan().bytesRead(), 1);
            }
            return out;
        } finally {
            comparers.shutdownNow();
            reader.shutdownNow();
            for (Connection w : extra) {
                try {
                    w.rollback();
                    w.close();
                } catch (SQLException ignored) {
                    // read-only; closing ends it
                }
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private static List<String> awaitRows(Future<List<String>> f) throws SQLException, IOException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static Snapshot await(Future<Snapshot> f) throws IOException {
        return io.restorekit.common.Futures.await(f);
    }

    private static List<String> currentRows(Connection c, Selected s, Scope scope) throws SQLException {
        DatabaseManifest.Table t = s.table();
        String query = s.join() != null ? s.join().tenantQuery(t.columns(), scope.tenant())
                : "SELECT " + TenantJoin.selectList(t.columns()) + " FROM ONLY " + TenantJoin.quoted(s.name()) + " t0";
        boolean sequential = s.join() != null && sequentialScan(c, s, scope.tenant());
        if (sequential) {
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL enable_bitmapscan = off; SET LOCAL enable_indexscan = off");
            }
        }
        CopyOut copy = c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (" + query + ") TO STDOUT");
        List<String> rows = new ArrayList<>();
        byte[] row;
        while ((row = copy.readFromCopy()) != null) {
            int len = row.length > 0 && row[row.length - 1] == '\n' ? row.length - 1 : row.length;
            rows.add(new String(row, 0, len, StandardCharsets.UTF_8));
        }
        if (sequential) {
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL enable_bitmapscan TO DEFAULT; SET LOCAL enable_indexscan TO DEFAULT");
            }
        }
        return rows;
    }

    /**
     * Whether reading one tenant's rows of a table that holds its tenant column should scan the
     * whole table rather than go through an index: when the tenant's rows are spread over nearly
     * all of the table's pages, an index still visits them all, out of the disk's read-ahead. Below
     * that, a bitmap scan reads only the pages that hold the tenant's rows, in the file's order, and
     * a cold read takes about as long per page as a sequential scan's (one tenant of twenty in
     * {@code saas}: 43 % of the pages of {@code documents}, 0.55-0.69 s cold against 1.3-1.7 s for
     * the whole table; 95 % of {@code audit_log}'s pages, 0.3-0.5 s scanned against 0.5 s or more
     * through the index). The spread is estimated from the tenant's share of the rows in the
     * snapshot and the rows per page now, and only when the server's statistics say the table is
     * not ordered by tenant.
     */
    static boolean sequentialScan(Connection c, Selected s, String tenant) throws SQLException {
        DatabaseManifest.Table t = s.table();
        if (!s.join().via().isEmpty() || t.rows() <= 0) {
            return false;
        }
        double share = (double) t.tenantRows().getOrDefault(tenant, 0L) / t.rows();
        try (PreparedStatement ps = c.prepareStatement("SELECT c.relpages, c.reltuples, (SELECT st.correlation"
                + " FROM pg_stats st WHERE st.schemaname = n.nspname AND st.tablename = c.relname"
                + " AND st.attname = ?) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.oid = ?::regclass")) {
            ps.setString(1, s.join().key());
            ps.setString(2, TenantJoin.quoted(s.name()));
            try (ResultSet r = ps.executeQuery()) {
                if (!r.next()) {
                    return false;
                }
                double correlation = r.getDouble(3);
                return !r.wasNull() && pagesVisited(share, r.getLong(1), r.getDouble(2), correlation) >= SEQUENTIAL_SHARE;
            }
        }
    }

    /** Share of the pages an index would visit at or above which a sequential scan reads them faster. */
    static final double SEQUENTIAL_SHARE = 0.8;

    /**
     * The share of a table's pages that hold at least one of a tenant's rows, for rows spread
     * evenly (|correlation| of the tenant column below 0.5); 0 when the rows are ordered by tenant
     * or the table has never been analysed.
     */
    static double pagesVisited(double tenantShare, long pages, double tuples, double correlation) {
        if (pages <= 0 || tuples <= 0 || Math.abs(correlation) >= 0.5) {
            return 0;
        }
        double rowsPerPage = tuples / pages;
        return 1 - Math.pow(1 - Math.min(1, Math.max(0, tenantShare)), rowsPerPage);
    }

    private static Diff diff(Selected s, Snapshot snap, List<String> current) {
        DatabaseManifest.Table t = s.table();
        RowMatch r = RowMatch.of(t, snap.lines, current);
        TablePlan plan = new TablePlan(s.name(), snap.lines.size(), current.size(), r.toDelete(), r.updates().size(),
                r.toInsert(), r.unchanged(), snap.chunksRead, t.blobs().size(), snap.bytes, t.bytes());
        return new Diff(s, plan, r.deleteKeys(), r.updates(), r.inserts(), r.replaceAll(), List.of());
    }

    private int temp;

    private String tempTable(Connection c, DatabaseManifest.Table t, List<String> columns) throws SQLException {
        String name = "rk_restore_" + (++temp);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE " + name + " ON COMMIT DROP AS SELECT " + TenantJoin.selectList(columns)
                    + " FROM ONLY " + TenantJoin.quoted(t.qualifiedName()) + " t0 WITH NO DATA");
        }
        return name;
    }

    private static void copyLines(Connection c, String table, List<String> columns, List<String> lines)
            throws SQLException, IOException {
        if (lines.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        byte[] data = sb.toString().getBytes(StandardCharsets.UTF_8);
        c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + PostgresBackup.columnList(columns)
                + " FROM STDIN", new java.io.ByteArrayInputStream(data));
    }

    private static void copyIn(Connection c, DatabaseManifest.Table t, List<String> lines)
            throws SQLException, IOException {
        copyLines(c, TenantJoin.quoted(t.qualifiedName()), t.columns(), lines);
    }

    private void delete(Connection c, Diff d, Scope scope) throws SQLException, IOException {
        DatabaseManifest.Table t = d.selected().table();
        String table = TenantJoin.quoted(t.qualifiedName());
        long expected = d.plan().toDelete();
        if (d.replaceAll()) {
            String sql = d.selected().join() != null
                    ? "DELETE FROM ONLY " + table + " WHERE ctid IN (" + d.selected().join().tenantRowIds(scope.tenant()) + ")"
                    : "DELETE FROM ONLY " + table;
            expected = d.plan().currentRows();
            check(c, sql, expected, "delete", t);
            return;
        }
        if (d.deleteKeys().isEmpty()) {
            return;
        }
        String keys = tempTable(c, t, t.primaryKey());
        copyLines(c, keys, t.primaryKey(), d.deleteKeys());
        check(c, "DELETE FROM ONLY " + table + " d USING " + keys + " k WHERE " + match("d", "k", t.primaryKey()),
                expected, "delete", t);
    }

    private void write(Connection c, Diff d) throws SQLException, IOException {
        DatabaseManifest.Table t = d.selected().table();
        String table = TenantJoin.quoted(t.qualifiedName());
        String columns = String.join(", ", t.columns().stream().map(PgConnect::ident).toList());
        if (!d.updates().isEmpty()) {
            List<String> set = t.columns().stream().filter(col -> !t.primaryKey().contains(col))
                    .map(col -> ident(col) + " = s." + ident(col)).toList();
            String rows = tempTable(c, t, t.columns());
            copyLines(c, rows, t.columns(), d.updates());
            check(c, "UPDATE ONLY " + table + " d SET " + String.join(", ", set) + " FROM " + rows + " s WHERE "
                    + match("d", "s", t.primaryKey()), d.updates().size(), "update", t);
        }
        if (!d.inserts().isEmpty()) {
            String rows = tempTable(c, t, t.columns());
            copyLines(c, rows, t.columns(), d.inserts());
            check(c, "INSERT INTO " + table + " (" + columns + ") OVERRIDING SYSTEM VALUE SELECT " + columns
                    + " FROM " + rows, d.inserts().size(), "insert", t);
        }
    }

    private static String match(String a, String b, List<String> key) {
        return String.join(" AND ", key.stream().map(k -> a + "." + ident(k) + " = " + b + "." + ident(k)).toList());
    }

    private static void check(Connection c, String sql, long expected, String what, DatabaseManifest.Table t)
            throws SQLException {
        try (Statement st = c.createStatement()) {
            long n = st.executeLargeUpdate(sql);
            if (n != expected) {
                throw new RkException(ErrorCode.FAILED, "the restore would " + what + " " + n + " rows of table '"
                        + t.qualifiedName() + "' where the plan counted " + expected + "; the transaction was rolled"
                        + " back, nothing was changed");
            }
        }
    }

    /** Moves the sequences of the table's columns up to the largest value present; never down. */
    private static void advanceSequences(Connection c, DatabaseManifest.Table t) throws SQLException {
        String table = TenantJoin.quoted(t.qualifiedName());
        for (String col : t.columns()) {
            String sequence;
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_get_serial_sequence(?, ?)")) {
                ps.setString(1, table);
                ps.setString(2, col);
                try (ResultSet r = ps.executeQuery()) {
                    sequence = r.next() ? r.getString(1) : null;
                }
            }
            if (sequence == null) {
                continue;
            }
            try (Statement st = c.createStatement()) {
                st.execute("SELECT setval(" + literal(sequence) + ", x.m) FROM (SELECT max(" + ident(col)
                        + ")::bigint AS m FROM ONLY " + table + ") x, " + sequence + " s WHERE x.m IS NOT NULL"
                        + " AND x.m > CASE WHEN s.is_called THEN s.last_value ELSE s.last_value - 1 END");
            }
        }
    }
}
