package io.restorekit.source.mysql;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.Futures;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.common.Sizes;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.Repository;
import io.restorekit.repository.Snapshot;
import io.restorekit.source.mysql.MySqlSchema.TableInfo;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.RowScanner;
import io.restorekit.source.postgres.TenantChunks;
import io.restorekit.source.postgres.TenantJoin;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.restorekit.source.mysql.MySqlConnect.ident;

/**
 * Dumps a MySQL or MariaDB database into the repository as of one moment.
 *
 * <p>Every dumping connection runs {@code START TRANSACTION WITH CONSISTENT SNAPSHOT} at
 * REPEATABLE READ. InnoDB cannot hand one connection's view to another, so with {@code jobs = 1}
 * (the default) one connection reads the schema and every table: one view, no lock, writers go
 * on. With {@code jobs > 1} the coordinator holds {@code FLUSH TABLES WITH READ LOCK} only while
 * the workers start their snapshots (writers wait for those milliseconds), then {@code UNLOCK
 * TABLES}: every view starts at the same commit. A user without the RELOAD privilege falls back
 * to one connection, with a warning.
 *
 * <p>Rows are streamed (nothing is buffered beyond a few batches of rows and chunks per
 * connection) as row text ({@link RowEncoder}) through the content-defined chunker into data
 * blobs, on three threads per table ({@link RowBatches}: reading; digesting and cutting;
 * storing). Once a table's rows are read and cut its connection goes on to the next table, while
 * the table's last chunks are stored on a thread of their own. A one-command backup may have its
 * connections opened before the repository is ({@link Opening}). Rows are read off the
 * connection's socket ({@link WireRows}) where it carries the protocol's packets as they are,
 * else from the driver's row bytes ({@link RawRows}): each row's text is written straight from
 * the bytes the server sent, without an array per value, and numbers and temporal values are
 * read uncast (the text protocol already sends them as their cast's text); batches of row text
 * pass to the cutting thread in place, without a copy per row. Rows of tables with a tenant are
 * grouped by tenant on the client and chunked per tenant, as for PostgreSQL. A table that
 * reaches its tenant through a foreign key is read without a join when it can be: its rows find
 * their tenant in the {@link TenantKeys} its parent left while it was dumped ({@link #lookups});
 * parents are dumped first.
 */
public final class MySqlBackup {
    private static final int FETCH = 4096;
    /**
     * Bytes the tenant key maps of one backup may take (a quarter of the heap when negative): a map
     * that would pass it is given up and its parent's children read with the server-side join.
     */
    static volatile long keyMapBudget = -1;

    private final Repository repository;
    private final AtomicLong stored = new AtomicLong();

    public MySqlBackup(Repository repository) {
        this.repository = repository;
    }

    /**
     * @param manifest the manifest's tree blob, stored and ready to be named by a snapshot; the
     *                 tables it took unchanged from the previous snapshot are in its {@code binlog}
     * @param note     why every table was read although there was a previous snapshot; null otherwise
     */
    public record Result(BlobId manifest, DatabaseManifest content, long tables, long rows, long bytes,
                         long addedBytes, long storedBytes, List<String> warnings, String note) {
    }

    public Result backup(MySqlSourceSpec spec, ProgressListener progress) throws IOException {
        return backup(spec, null, null, progress);
    }

    public Result backup(MySqlSourceSpec spec, Opening ahead, ProgressListener progress) throws IOException {
        return backup(spec, ahead, null, progress);
    }

    /**
     * @param ahead    the source's connections opened ahead ({@link Opening#start}), or null to open
     *                 them now; either way they are closed when this returns
     * @param previous the source's latest snapshot, whose tables the binary log may show unchanged;
     *                 null when there is none
     */
    public Result backup(MySqlSourceSpec spec, Opening ahead, Snapshot previous, ProgressListener progress)
            throws IOException {
        Instant started = Instant.now();
        Opened opened = ahead != null ? ahead.take() : Opened.open(spec);
        MySqlConnect connect = opened.connect();
        List<Connection> connections = opened.connections();
        try {
            List<String> warnings = new ArrayList<>(opened.warnings());
            String server = opened.server();
            MySqlSchema.Result schema = opened.schema();
            warnings.addAll(schema.warnings());
            List<TableInfo> tables = selected(schema.tables(), spec);
            String db = schema.database();
            String tenantTable = tenantTable(spec, db, schema.tables(), warnings);
            Map<String, List<String>> columns = new HashMap<>();
            Map<String, List<String>> primaryKeys = new HashMap<>();
            Map<String, Map<String, Column>> byName = new HashMap<>();
            for (TableInfo t : schema.tables()) {
                columns.put(db + "." + t.name(), t.columnNames());
                if (!t.primaryKey().isEmpty()) {
                    primaryKeys.put(db + "." + t.name(), t.primaryKey());
                }
                Map<String, Column> m = new HashMap<>();
                t.columns().forEach(c -> m.put(c.name(), c));
                byName.put(db + "." + t.name(), m);
            }
            Map<String, TenantJoin> joins = TenantJoin.resolve(columns, primaryKeys, schema.foreignKeys(),
                    spec.tenantColumn(), tenantTable);
            Taken taken = taken(spec, opened, db, tables, joins, tenantTable, previous, started);
            List<TableInfo> toRead = tables.stream().filter(t -> !taken.tables().containsKey(t.name())).toList();
            progress.total(toRead.stream().mapToLong(TableInfo::size).sum(), toRead.size());
            List<DatabaseManifest.Table> dumped = new ArrayList<>(dumpAll(connect, connections, db, toRead, spec, joins,
                    byName, progress));
            dumped.addAll(taken.tables().values());
            for (Connection c : connections) {
                try {
                    c.commit();
                } catch (SQLException e) {
                    throw connect.failure("back up", e);
                }
            }
            dumped = dumped.stream().sorted(Comparator.comparingLong(DatabaseManifest.Table::bytes).reversed()
                    .thenComparing(DatabaseManifest.Table::qualifiedName)).toList();
            DatabaseManifest manifest = new DatabaseManifest(DatabaseManifest.VERSION, server, db,
                    spec.tenantColumn(), schema.fingerprint(), schema.ddl(), dumped, warnings, tenantTable,
                    schema.foreignKeys(), taken.binlog());
            byte[] json = Repository.objectMapper().writeValueAsBytes(manifest);
            Repository.SaveResult saved = repository.saveBlob(BlobType.TREE, json, 0, json.length);
            long rows = dumped.stream().mapToLong(DatabaseManifest.Table::rows).sum();
            long bytes = dumped.stream().mapToLong(DatabaseManifest.Table::bytes).sum();
            long added = dumped.stream().mapToLong(DatabaseManifest.Table::addedBytes).sum()
                    + (saved.added() ? json.length : 0);
            for (String w : warnings) {
                progress.warn(w);
            }
            return new Result(saved.id(), manifest, dumped.size(), rows, bytes, added,
                    stored.get() + saved.storedBytes(), warnings, taken.note());
        } finally {
            opened.close();
        }
    }

    /**
     * A backup's connections with their consistent snapshots started, and the server's version and
     * schema read in the first of them: all a backup asks of the server before its first row.
     */
    record Opened(MySqlConnect connect, List<Connection> connections, String server, MySqlSchema.Result schema,
                  List<String> warnings, BinaryLog.Position log) {
        static Opened open(MySqlSourceSpec spec) {
            MySqlConnect connect = MySqlConnect.of(spec);
            List<String> warnings = new ArrayList<>();
            List<Connection> connections = snapshots(connect, spec.jobs(), warnings);
            try {
                Connection coordinator = connections.get(0);
                // right after the snapshot started (all connections' snapshots are of the same commit)
                BinaryLog.Position log = spec.binlog() ? BinaryLog.of(coordinator) : null;
                return new Opened(connect, connections, single(coordinator, "SELECT VERSION()"),
                        MySqlSchema.read(coordinator), warnings, log);
            } catch (SQLException e) {
                close(connections);
                throw connect.failure("back up", e);
            } catch (RuntimeException | Error e) {
                close(connections);
                throw e;
            }
        }

        void close() {
            close(connections);
        }

        private static void close(List<Connection> connections) {
            for (Connection c : connections) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // the snapshot is read-only: nothing to lose
                }
            }
        }
    }

    /**
     * A source's connections being opened on a thread of their own, from as soon as the command
     * knows its source: the log-ins, the consistent snapshots and the schema queries then overlap
     * the repository's opening (its key derivation and index) instead of following it. The
     * snapshots start that much earlier, before the backup's lock is taken. Taken by one backup
     * ({@link #backup(MySqlSourceSpec, Opening, ProgressListener)}); closing it closes connections
     * no backup took.
     */
    public static final class Opening implements AutoCloseable {
        private final CompletableFuture<Opened> opened;

        private Opening(CompletableFuture<Opened> opened) {
            this.opened = opened;
        }

        /** Starts opening {@code spec}'s connections on a daemon thread. */
        public static Opening start(MySqlSourceSpec spec) {
            return new Opening(Futures.onOwnThread("rk-mysql-open", () -> Opened.open(spec)));
        }

        /** The opened connections (waiting for them), or the failure opening them met: as {@link Opened#open}. */
        Opened take() throws IOException {
            return Futures.await(opened);
        }

        @Override
        public void close() {
            opened.thenAccept(Opened::close);
        }
    }

    /**
     * Opens {@code jobs} connections whose consistent snapshots all start at the same commit:
     * under FLUSH TABLES WITH READ LOCK when there are several.
     */
    private static List<Connection> snapshots(MySqlConnect connect, int jobs, List<String> warnings) {
        List<Connection> out = new ArrayList<>();
        Connection first = connect.open();
        out.add(first);
        try {
            MySqlRestore.refuseDuringRestore(first, connect);
            boolean locked = false;
            if (jobs > 1) {
                try (Statement st = first.createStatement()) {
                    st.execute("FLUSH TABLES WITH READ LOCK");
                    locked = true;
                } catch (SQLException e) {
                    warnings.add("jobs: " + jobs + " connections need FLUSH TABLES WITH READ LOCK (the RELOAD"
                            + " privilege) to share one moment: " + e.getMessage() + "; dumped on one connection");
                }
            }
            try {
                start(first);
                if (locked) {
                    for (int i = 1; i < jobs; i++) {
                        Connection c = connect.open();
                        out.add(c);
                        start(c);
                    }
                }
            } finally {
                if (locked) {
                    try (Statement st = first.createStatement()) {
                        st.execute("UNLOCK TABLES");
                    }
                }
            }
            return out;
        } catch (SQLException | RuntimeException e) {
            for (Connection c : out) {
                try {
                    c.close();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e instanceof SQLException s ? connect.failure("back up", s) : (RuntimeException) e;
        }
    }

    private static void start(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
        }
    }

    /**
     * The tables a backup takes from the previous snapshot without reading them, and where the new
     * snapshot stands in the binary log.
     *
     * @param tables by name, the previous snapshot's entries (that added nothing)
     * @param binlog what the new manifest records of the log; null when the log cannot say what changed
     * @param note   why every table is read although there is a previous snapshot; null otherwise
     */
    record Taken(Map<String, DatabaseManifest.Table> tables, DatabaseManifest.Binlog binlog, String note) {
    }

    /**
     * Which tables the binary log shows unchanged since {@code previous} ({@link BinaryLog}): those
     * whose entry there is what reading them now would give (the same columns, key and tenant
     * grouping, on the same server version and schema) and whose chunks are all in the repository.
     * Every table is read when the log cannot tell, when the previous snapshot has no position in
     * it, and at least every {@code full-read-every}.
     */
    private Taken taken(MySqlSourceSpec spec, Opened opened, String db, List<TableInfo> tables,
                        Map<String, TenantJoin> joins, String tenantTable, Snapshot previous, Instant started)
            throws IOException {
        BinaryLog.Position now = opened.log();
        if (now == null || now.unusable() != null) {
            // A log that is off (MariaDB's default) or gives no position (MySQL) is how the server
            // is set up, not news on every backup; a log that is on but cannot be trusted is.
            String note = now != null && now.file() != null && previous != null ? "every table read: "
                    + now.unusable() : null;
            return new Taken(Map.of(), null, note);
        }
        DatabaseManifest.Binlog fresh = new DatabaseManifest.Binlog(now.server(), now.file(), now.position(),
                started, List.of(), null, null);
        if (previous == null) {
            return new Taken(Map.of(), fresh, null);
        }
        DatabaseManifest before = DatabaseManifest.load(repository, previous.tree());
        DatabaseManifest.Binlog was = before.binlog();
        String why = was == null ? "snapshot " + previous.shortId() + " has no binary log position"
                : before.version() != DatabaseManifest.VERSION || !opened.server().equals(before.server())
                ? "the server's version is not that of snapshot " + previous.shortId()
                : !db.equals(before.database()) ? "snapshot " + previous.shortId() + " is of database '"
                + before.database() + "'"
                : !Objects.equals(spec.tenantColumn(), before.tenantColumn())
                || !Objects.equals(tenantTable, before.tenantTable()) ? "the tenant settings changed"
                : !opened.schema().fingerprint().equals(before.schemaFingerprint()) ? "the schema changed"
                : was.allRead() == null
                || Duration.between(was.allRead(), started).compareTo(spec.fullReadEvery()) >= 0
                ? "every table is read at least every " + Sizes.duration(spec.fullReadEvery())
                + " (full-read-every)" : null;
        if (why != null) {
            return new Taken(Map.of(), fresh.withReadAll(why), "every table read: " + why);
        }
        Map<String, DatabaseManifest.Table> entries = new HashMap<>();
        for (DatabaseManifest.Table e : before.tables()) {
            if (db.equals(e.schema())) {
                entries.put(e.name(), e);
            }
        }
        Set<String> candidates = new HashSet<>();
        for (TableInfo t : tables) {
            DatabaseManifest.Table e = entries.get(t.name());
            if (e != null && t.systemTime() == null && sameAsRead(e, t, joins.get(db + "." + t.name()))) {
                candidates.add(t.name());
            }
        }
        Map<String, Set<String>> cascades;
        try {
            cascades = BinaryLog.cascades(opened.connections().get(0), db);
        } catch (SQLException e) {
            throw opened.connect().failure("back up", e);
        }
        if (cascades == null) {
            String cross = "a foreign key of this database cascades from another database's table (its rows may"
                    + " change with no event naming them)";
            return new Taken(Map.of(), fresh.withReadAll(cross), "every table read: " + cross);
        }
        // every table of the database is watched: one not taken (say, system-versioned) may still
        // cascade into one that is
        Set<String> watched = new HashSet<>(cascades.keySet());
        opened.schema().tables().forEach(t -> watched.add(t.name()));
        BinaryLog.Changes changes = BinaryLog.between(opened.connections().get(0),
                new BinaryLog.Position(was.server(), was.file(), was.position(), null), now, db, watched,
                tables.stream().mapToLong(TableInfo::rows).sum());
        if (changes.everything() != null) {
            return new Taken(Map.of(), fresh.withReadAll(changes.everything()),
                    "every table read: " + changes.everything());
        }
        // the tables a cascading foreign key may have changed with the ones the log names
        Set<String> changed = BinaryLog.withCascades(changes.tables(), cascades);
        Map<String, DatabaseManifest.Table> out = new TreeMap<>();
        for (String name : candidates) {
            DatabaseManifest.Table e = entries.get(name);
            if (!changed.contains(name) && e.blobs().stream().allMatch(id -> repository.has(BlobType.DATA, id))) {
                out.put(name, e.unread());
            }
        }
        if (out.isEmpty()) {
            return new Taken(Map.of(), fresh, null);
        }
        return new Taken(out, new DatabaseManifest.Binlog(now.server(), now.file(), now.position(), was.allRead(),
                List.copyOf(out.keySet()), previous.id(), null), null);
    }

    /** Whether {@code e} is what reading {@code t} now would record, rows aside. */
    private static boolean sameAsRead(DatabaseManifest.Table e, TableInfo t, TenantJoin join) {
        boolean grouped = join != null && !t.columns().isEmpty();
        return !e.patched() && e.columns().equals(t.columnNames()) && Objects.equals(e.primaryKey(), primaryKey(t))
                && Objects.equals(e.tenantVia(), grouped ? join.viaNames() : null)
                && Objects.equals(e.tenantKey(), grouped ? join.key() : null)
                && (e.tenantChunks() != null) == grouped;
    }

    private static String tenantTable(MySqlSourceSpec spec, String db, List<TableInfo> all, List<String> warnings) {
        if (spec.tenantTable() == null) {
            return null;
        }
        String name = spec.tenantTable().startsWith(db + ".") ? spec.tenantTable().substring(db.length() + 1)
                : spec.tenantTable();
        if (all.stream().noneMatch(t -> t.name().equals(name))) {
            warnings.add("tenant-table '" + spec.tenantTable() + "': no such table; tenant restores leave it out");
            return null;
        }
        return db + "." + name;
    }

    private static List<TableInfo> selected(List<TableInfo> all, MySqlSourceSpec spec) {
        List<TableInfo> out = new ArrayList<>();
        for (TableInfo t : all) {
            boolean included = spec.includeTables().isEmpty() || spec.includeTables().contains(t.name());
            if (included && !spec.excludeTables().contains(t.name())) {
                out.add(t);
            }
        }
        out.sort(Comparator.comparingLong(TableInfo::size).reversed());
        return out;
    }

    /**
     * How a table that reaches its tenant through a foreign key finds it on the client: the
     * table is read plainly (no join) and each row's tenant is looked up by its foreign key
     * column in the (key, tenant) pairs its parent table left while it was dumped.
     *
     * @param column       the foreign key column, as an index into the table's dumped columns
     * @param parent       the referenced table, {@code db.name}
     * @param parentColumn the referenced column (the parent's one-column primary key), as an
     *                     index into the parent's dumped columns
     */
    record Lookup(int column, String parent, int parentColumn) {
        String parentKeys() {
            return parent + "\u0000" + parentColumn;
        }
    }

    private static final java.util.Set<String> INTEGER = java.util.Set.of("tinyint", "smallint", "mediumint", "int",
            "bigint");

    /**
     * The tables whose tenant can be looked up on the client. That takes the first foreign key
     * of the table's join to be one integer column referencing the parent's one-column integer
     * primary key (so each row has at most one parent, as in the join), the parent to be dumped
     * too, and the parent's own tenant to come by the rest of the same chain (so the parent's
     * tenant is the one the join would reach). Other tables keep the join on the server.
     */
    static Map<String, Lookup> lookups(String db, List<TableInfo> dumped, Map<String, TenantJoin> joins) {
        Map<String, TableInfo> byName = new HashMap<>();
        dumped.forEach(t -> byName.put(db + "." + t.name(), t));
        Map<String, Lookup> out = new HashMap<>();
        for (TableInfo t : dumped) {
            String q = db + "." + t.name();
            TenantJoin join = joins.get(q);
            if (join == null || join.via().isEmpty() || t.columns().isEmpty()) {
                continue;
            }
            var fk = join.via().get(0);
            TableInfo parent = byName.get(fk.references());
            TenantJoin parentJoin = joins.get(fk.references());
            if (fk.columns().size() != 1 || parent == null || parent.columns().isEmpty() || parentJoin == null
                    || !parentJoin.key().equals(join.key())
                    || !parentJoin.via().equals(join.via().subList(1, join.via().size()))
                    || !parent.primaryKey().equals(fk.referencedColumns())) {
                continue;
            }
            int column = integerColumn(t, fk.columns().get(0));
            int parentColumn = integerColumn(parent, fk.referencedColumns().get(0));
            if (column >= 0 && parentColumn >= 0) {
                out.put(q, new Lookup(column, fk.references(), parentColumn));
            }
        }
        return out;
    }

    private static int integerColumn(TableInfo t, String name) {
        for (int i = 0; i < t.columns().size(); i++) {
            Column c = t.columns().get(i);
            if (c.name().equals(name)) {
                return INTEGER.contains(c.dataType()) ? i : -1;
            }
        }
        return -1;
    }

    /** Parents before the tables that look their tenant up in them; otherwise the given order. */
    static List<TableInfo> parentsFirst(String db, List<TableInfo> tables, Map<String, Lookup> lookups) {
        Map<String, Integer> depth = new HashMap<>();
        for (TableInfo t : tables) {
            int d = 0;
            for (Lookup l = lookups.get(db + "." + t.name()); l != null; l = lookups.get(l.parent())) {
                d++;
            }
            depth.put(t.name(), d);
        }
        List<TableInfo> out = new ArrayList<>(tables);
        out.sort(Comparator.comparingInt(t -> depth.get(t.name())));
        return out;
    }

    private List<DatabaseManifest.Table> dumpAll(MySqlConnect connect, List<Connection> connections, String db,
                                                 List<TableInfo> tables, MySqlSourceSpec spec,
                                                 Map<String, TenantJoin> joins, Map<String, Map<String, Column>> byName,
                                                 ProgressListener progress) throws IOException {
        Map<String, Lookup> lookups = lookups(db, tables, joins);
        TenantKeys.Budget budget = new TenantKeys.Budget(keyMapBudget >= 0 ? keyMapBudget
                : Runtime.getRuntime().maxMemory() / 4);
        Map<String, CompletableFuture<TenantKeys>> parentKeys = new HashMap<>();
        lookups.values().forEach(l -> parentKeys.put(l.parentKeys(), new CompletableFuture<>()));
        ConcurrentLinkedQueue<TableInfo> queue = new ConcurrentLinkedQueue<>(parentsFirst(db, tables, lookups));
        List<DatabaseManifest.Table> out = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean failed = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(connections.size(), r -> {
            Thread t = new Thread(r, "mysql-dump");
            t.setDaemon(true);
            return t;
        });
        // chunks are compressed, sealed and stored here while the dumping threads go on cutting
        ExecutorService savers = Executors.newFixedThreadPool(connections.size(), r -> {
            Thread t = new Thread(r, "mysql-store");
            t.setDaemon(true);
            return t;
        });
        // A table's last chunks are stored and awaited here while its connection reads the next
        // table: the server does not wait for them.
        ExecutorService finishers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "mysql-finish");
            t.setDaemon(true);
            return t;
        });
        List<Future<DatabaseManifest.Table>> finishing = Collections.synchronizedList(new ArrayList<>());
        TenantChunks.Buffers buffers = new TenantChunks.Buffers(connections.size());
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (Connection c : connections) {
                futures.add(pool.submit(() -> {
                    try {
                        TableInfo t;
                        while (!failed.get() && (t = queue.poll()) != null) {
                            String q = db + "." + t.name();
                            Finish rest = dump(c, db, t, spec.tenantColumn(), joins.get(q), byName, lookups.get(q),
                                    parentKeys, budget, savers, buffers, connect, progress);
                            finishing.add(finishers.submit(() -> {
                                try {
                                    return rest.finish();
                                } catch (RuntimeException | IOException e) {
                                    failed.set(true);
                                    throw e;
                                }
                            }));
                        }
                    } catch (RuntimeException | IOException e) {
                        failed.set(true);
                        throw e;
                    }
                    return null;
                }));
            }
            for (Future<Void> f : futures) {
                await(f);
            }
            for (Future<DatabaseManifest.Table> f : finishing) {
                out.add(Futures.await(f));
            }
        } finally {
            pool.shutdownNow();
            finishers.shutdownNow();
            savers.shutdownNow();
            // a table waiting for a parent that will never finish stops too
            parentKeys.values().forEach(f -> f.completeExceptionally(new IOException("the backup stopped")));
        }
        return List.copyOf(out);
    }

    static void await(Future<?> f) throws IOException {
        Futures.await(f);
    }

    /** The keys of a table's rows as a child collects them from the row text: where to read, and where to. */
    private record KeyExport(int column, TenantKeys.Builder keys, CompletableFuture<TenantKeys> done) {
    }

    /**
     * Reads and cuts a table's rows on connection {@code c}; returns once the connection is free
     * again, with the keys its children look their tenants up in handed over, and what is left.
     */
    private Finish dump(Connection c, String db, TableInfo t, String tenantColumn, TenantJoin join,
                        Map<String, Map<String, Column>> byName, Lookup lookup,
                        Map<String, CompletableFuture<TenantKeys>> parentKeys, TenantKeys.Budget budget,
                        ExecutorService savers, TenantChunks.Buffers buffers, MySqlConnect connect,
                        ProgressListener progress) throws IOException {
        String q = db + "." + t.name();
        boolean grouped = join != null && !t.columns().isEmpty();
        Column tenantKey = grouped ? byName.get(join.via().isEmpty() ? q
                : join.via().get(join.via().size() - 1).references()).get(join.key()) : null;
        boolean raw = RawRows.available();
        List<KeyExport> exports = new ArrayList<>();
        if (grouped) {
            for (int i = 0; i < t.columns().size(); i++) {
                CompletableFuture<TenantKeys> f = parentKeys.get(q + "\u0000" + i);
                if (f != null) {
                    exports.add(new KeyExport(i, new TenantKeys.Builder(t.rows(), budget), f));
                }
            }
        }
        try {
            TenantKeys parent = lookup == null ? null : parentKeys(parentKeys.get(lookup.parentKeys()), q);
            if (parent == null) {
                // no lookup, or the parent's key map was given up (the budget could not hold it)
                lookup = null;
            }
            String plain = "SELECT " + Column.readList(t.columns(), "t0", raw) + " FROM " + t.source() + " t0";
            // A table that holds its tenant key itself: the key is copied from the row's own text
            // rather than selected a second time.
            int own = grouped && lookup == null && join.via().isEmpty() ? t.columnNames().indexOf(join.key()) : -1;
            String sql = grouped && lookup == null && own < 0 ? new JoinSql(join, t.source()).dumpQuery(t.columns(), tenantKey, raw)
                    : plain;
            Finish rest = dump(c, db, q, t, tenantColumn, join, tenantKey, sql, own, lookup, parent, exports, savers,
                    buffers, connect, progress);
            for (KeyExport e : exports) {
                e.done().complete(e.keys().build());
            }
            return rest;
        } finally {
            for (KeyExport e : exports) {
                e.done().completeExceptionally(new IOException("table '" + q + "' was not dumped"));
            }
        }
    }

    private static TenantKeys parentKeys(CompletableFuture<TenantKeys> f, String table) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while '" + table + "' waited for its parent table");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    private Finish dump(Connection c, String db, String q, TableInfo t, String tenantColumn, TenantJoin join,
                        Column tenantKey, String sql, int own, Lookup lookup, TenantKeys parent,
                        List<KeyExport> exports, ExecutorService savers, TenantChunks.Buffers buffers,
                        MySqlConnect connect, ProgressListener progress) throws IOException {
        boolean grouped = tenantKey != null;
        RowScanner scanner = new RowScanner(grouped ? -1 : t.columnNames().indexOf(tenantColumn));
        TenantChunks chunks = new TenantChunks(repository, scanner, grouped, null, progress, savers, buffers);
        // Raw rows straight off the socket where the connection allows, else through the driver.
        WireRows wire = RawRows.available() && !t.columns().isEmpty() ? WireRows.open(c) : null;
        try (Statement st = c.createStatement(); WireRows w = wire) {
            st.setFetchSize(FETCH);
            if (wire != null) {
                wire.query(sql);
            }
            try (ResultSet r = t.columns().isEmpty() || wire != null ? null : st.executeQuery(sql)) {
                RowEncoder encoder = new RowEncoder(t.columns());
                int[] bounds = new int[2];
                boolean rawRows = wire != null || r != null && RawRows.supports(r);
                if (r != null && RawRows.available() && !rawRows) {
                    throw new IllegalStateException("the driver's result set " + r.getClass().getName()
                            + " cannot be read raw");
                }
                // Rows read off the socket get a writer per kind of table, each its own method: the
                // JIT compiles each for the branches its tables take, where one writer for all was
                // compiled again when a later table took a branch the first ones never had.
                RowBatches.RowWriter writer = wire == null
                        ? driverRows(r, rawRows, encoder, grouped, own, lookup, parent, tenantKey, exports, bounds)
                        : !grouped ? plainWireRows(wire, encoder)
                        : own >= 0 ? ownTenantWireRows(wire, encoder, own, exports, bounds)
                        : lookup != null ? lookedUpWireRows(wire, encoder, lookup, parent, exports, bounds)
                        : joinedWireRows(wire, encoder, tenantKey, exports, bounds);
                // Rows come in the table's own order (no sort on the server) and are grouped by
                // tenant on the client: one chunker per tenant, so no chunk holds two tenants. The
                // driver reads on a thread of its own while this one digests and cuts; chunks are
                // compressed, sealed and stored on a third.
                try (RowBatches rows = new RowBatches(writer, "mysql-read")) {
                    chunks.consume(rows);
                }
            }
        } catch (RowSegments.ReadFailure e) {
            throw tableFailure(q, connect, e.sql());
        } catch (SQLException e) {
            throw tableFailure(q, connect, e);
        }
        // Every row is read and cut: the connection is free for the next table while the tenants'
        // pending chunks are stored and the table's chunks awaited.
        return () -> {
            TenantChunks.Result result = chunks.finish();
            stored.addAndGet(result.stored());
            progress.advance(0, 1);
            return table(db, t, tenantColumn, join, grouped, scanner, result);
        };
    }

    /** The rest of a table's dump once its rows are read and cut: its pending chunks stored, its manifest entry. */
    private interface Finish {
        DatabaseManifest.Table finish() throws IOException;
    }

    private static DatabaseManifest.Table table(String db, TableInfo t, String tenantColumn, TenantJoin join,
                                                boolean grouped, RowScanner scanner, TenantChunks.Result result) {
        if (grouped) {
            return new DatabaseManifest.Table(db, t.name(), t.columnNames(), scanner.rows(),
                    Map.copyOf(result.tenantRows()), scanner.digest(), scanner.bytes(), result.added(), result.chunks(),
                    primaryKey(t), join.viaNames(), join.key(), result.tenantChunks());
        }
        Map<String, Long> tenants = t.columnNames().contains(tenantColumn) ? scanner.tenants() : null;
        return new DatabaseManifest.Table(db, t.name(), t.columnNames(), scanner.rows(), tenants, scanner.digest(),
                scanner.bytes(), result.added(), result.chunks(), primaryKey(t), null, null, null);
    }

    /** Rows off the socket of a table without a tenant: the row text as the server sent it. */
    private static RowBatches.RowWriter plainWireRows(WireRows wire, RowEncoder encoder) {
        return out -> {
            if (!wire.next()) {
                return false;
            }
            checkEnd(encoder.encode(wire.row(), wire.start(), wire.end(), out), wire.end());
            return true;
        };
    }

    /** Rows off the socket of a table holding its tenant key: the key copied from the row's own text. */
    private static RowBatches.RowWriter ownTenantWireRows(WireRows wire, RowEncoder encoder, int own,
                                                         List<KeyExport> exports, int[] bounds) {
        return out -> {
            if (!wire.next()) {
                return false;
            }
            int from = out.length;
            int p = lineUpToTenant(wire, encoder, out);
            int tenantFrom = out.length;
            field(out.data, from, own, bounds);
            out.add(out.data, bounds[0], bounds[1] - bounds[0]);
            endLine(exports, out, from, tenantFrom, bounds);
            checkEnd(p, wire.end());
            return true;
        };
    }

    /** Rows off the socket of a table whose tenant is looked up by its foreign key in its parent's keys. */
    private static RowBatches.RowWriter lookedUpWireRows(WireRows wire, RowEncoder encoder, Lookup lookup,
                                                         TenantKeys parent, List<KeyExport> exports, int[] bounds) {
        int column = lookup.column();
        return out -> {
            if (!wire.next()) {
                return false;
            }
            int from = out.length;
            int p = lineUpToTenant(wire, encoder, out);
            int tenantFrom = out.length;
            field(out.data, from, column, bounds);
            byte[] tenant = TenantKeys.isNull(out.data, bounds[0], bounds[1])
                    ? NULL_TEXT : parent.tenant(TenantKeys.parse(out.data, bounds[0], bounds[1]));
            out.add(tenant, 0, tenant.length);
            endLine(exports, out, from, tenantFrom, bounds);
            checkEnd(p, wire.end());
            return true;
        };
    }

    /** Rows off the socket of a table whose tenant the server joins in, as the last value selected. */
    private static RowBatches.RowWriter joinedWireRows(WireRows wire, RowEncoder encoder, Column tenantKey,
                                                       List<KeyExport> exports, int[] bounds) {
        return out -> {
            if (!wire.next()) {
                return false;
            }
            int from = out.length;
            int p = lineUpToTenant(wire, encoder, out);
            int tenantFrom = out.length;
            p = RowEncoder.field(wire.row(), p, wire.end(), tenantKey, out);
            endLine(exports, out, from, tenantFrom, bounds);
            checkEnd(p, wire.end());
            return true;
        };
    }

    /** Rows through the driver (TLS, compression, another driver): raw row bytes where it allows, else values. */
    private static RowBatches.RowWriter driverRows(ResultSet r, boolean rawRows, RowEncoder encoder, boolean grouped,
                                                   int own, Lookup lookup, TenantKeys parent, Column tenantKey,
                                                   List<KeyExport> exports, int[] bounds) {
        return out -> {
            if (r == null || !r.next()) {
                return false;
            }
            int from = out.length;
            // Raw: the values straight from the driver's row bytes, no array per value.
            byte[] row = rawRows ? RawRows.current(r) : null;
            int end = rawRows ? row.length : 0;
            int p = rawRows ? encoder.encode(row, 0, end, out) : 0;
            if (!rawRows) {
                encoder.encode(r, out);
            }
            if (grouped) {
                out.data[out.length - 1] = '\t';
                int tenantFrom = out.length;
                if (own >= 0) {
                    field(out.data, from, own, bounds);
                    out.add(out.data, bounds[0], bounds[1] - bounds[0]);
                } else if (lookup == null) {
                    if (rawRows) {
                        p = RowEncoder.field(row, p, end, tenantKey, out);
                    } else {
                        RowEncoder.field(r, encoder.size() + 1, tenantKey, out);
                    }
                } else {
                    field(out.data, from, lookup.column(), bounds);
                    byte[] tenant = TenantKeys.isNull(out.data, bounds[0], bounds[1])
                            ? NULL_TEXT : parent.tenant(TenantKeys.parse(out.data, bounds[0], bounds[1]));
                    out.add(tenant, 0, tenant.length);
                }
                endLine(exports, out, from, tenantFrom, bounds);
            }
            if (rawRows) {
                checkEnd(p, end);
            }
            return true;
        };
    }

    /**
     * Writes the socket's current row as a line up to its tenant: the row text with a tab where
     * its newline was. Returns where the row's next value starts.
     */
    private static int lineUpToTenant(WireRows wire, RowEncoder encoder, RowEncoder.Buf out) throws SQLException {
        int p = encoder.encode(wire.row(), wire.start(), wire.end(), out);
        out.data[out.length - 1] = '\t';
        return p;
    }

    /**
     * Ends a row line after its tenant ({@code out[tenantFrom, length)}), handing the row's keys to
     * the children that look their tenant up in this table.
     */
    private static void endLine(List<KeyExport> exports, RowEncoder.Buf out, int from, int tenantFrom, int[] bounds) {
        // by index: an iterator per row was a quarter of the young garbage of a 4 M-row backup
        for (int i = 0, n = exports.size(); i < n; i++) {
            KeyExport e = exports.get(i);
            if (e.keys().givenUp()) {
                continue;
            }
            field(out.data, from, e.column(), bounds);
            if (!TenantKeys.isNull(out.data, bounds[0], bounds[1])) {
                e.keys().add(TenantKeys.parse(out.data, bounds[0], bounds[1]), out.data, tenantFrom, out.length);
            }
        }
        out.add((byte) '\n');
    }

    private static void checkEnd(int p, int end) throws SQLException {
        if (p != end) {
            throw new SQLException("a row from the server has more values than selected");
        }
    }

    private static final byte[] NULL_TEXT = {'\\', 'N'};

    /** Sets {@code bounds} to where field {@code n} (0-based) of the row text at {@code from} starts and ends. */
    static void field(byte[] row, int from, int n, int[] bounds) {
        int start = from;
        int i = from;
        for (int k = 0; k < n; k++) {
            while (row[i] != '\t') {
                i++;
            }
            start = ++i;
        }
        while (row[i] != '\t' && row[i] != '\n') {
            i++;
        }
        bounds[0] = start;
        bounds[1] = i;
    }

    private static List<String> primaryKey(TableInfo t) {
        return t.primaryKey().isEmpty() ? null : t.primaryKey();
    }

    private static RkException tableFailure(String table, MySqlConnect connect, SQLException e) {
        int code = e.getErrorCode();
        if (code == 1146) {
            return new RkException(ErrorCode.FAILED, "table '" + table + "' was dropped during the backup; nothing"
                    + " was saved as a snapshot, run the backup again", e);
        }
        if (code == 1412 || code == 1054) {
            return new RkException(ErrorCode.FAILED, "table '" + table + "' was altered during the backup; nothing"
                    + " was saved as a snapshot, run the backup again", e);
        }
        return connect.failure("dump table '" + table + "' of", e);
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }
}
