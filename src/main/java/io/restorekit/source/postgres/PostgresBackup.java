package io.restorekit.source.postgres;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.Repository;
import io.restorekit.repository.chunk.Chunker;
import io.restorekit.source.postgres.SchemaReader.TableInfo;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

import io.restorekit.repository.Snapshot;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.restorekit.source.postgres.PgConnect.ident;
import static io.restorekit.source.postgres.PgConnect.qualified;

/**
 * Dumps a database into the repository as of one moment.
 *
 * <p>A coordinating connection opens a REPEATABLE READ READ ONLY transaction, exports its
 * snapshot, reads the schema and takes ACCESS SHARE locks on the dumped tables (writers go on;
 * DROP and ALTER wait until the backup ends). {@code jobs} worker connections import that
 * snapshot and stream each table, largest first, with {@code COPY ... TO STDOUT} through the
 * content-defined chunker into data blobs: nothing is buffered beyond one chunk per worker.
 *
 * <p>Include and exclude lists select whose rows are dumped; the schema is always whole, so a
 * restored database has every table (those left out are empty).
 */
public final class PostgresBackup {
    private final Repository repository;

    public PostgresBackup(Repository repository) {
        this.repository = repository;
    }

    /**
     * @param manifest the manifest's tree blob, stored and ready to be named by a snapshot
     */
    public record Result(BlobId manifest, DatabaseManifest content, long tables, long rows, long bytes,
                         long addedBytes, long storedBytes, List<String> warnings) {
    }

    public Result backup(PostgresSourceSpec spec, ProgressListener progress) throws IOException {
        PgConnect connect = PgConnect.of(spec);
        try (Connection coordinator = connect.open()) {
            coordinator.setAutoCommit(false);
            String snapshot;
            String server;
            SchemaReader.Result schema;
            List<TableInfo> tables;
            Keys keys;
            try (Statement st = coordinator.createStatement()) {
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                RestoreGuard.forBackup(st, connect);
                snapshot = single(st, "SELECT pg_export_snapshot()");
                server = single(st, "SHOW server_version");
                schema = new SchemaReader(coordinator).read();
                tables = selected(schema.tables(), spec);
                lock(st, tables, connect);
                keys = Keys.read(coordinator);
            } catch (SQLException e) {
                throw connect.failure("back up", e);
            }
            List<String> warnings = new ArrayList<>();
            PgDumpSchema.Tool pgDump = pgDumpFor(spec, server, schema, warnings);
            java.util.concurrent.CompletableFuture<List<DatabaseManifest.Ddl>> dumpedSchema = pgDump == null ? null
                    : PgDumpSchema.start(pgDump, connect, snapshot);
            String tenantTable = tenantTable(spec, schema.tables(), warnings);
            Map<String, List<String>> columns = new java.util.HashMap<>();
            tables.forEach(t -> columns.put(t.schema() + "." + t.name(), t.columns()));
            Map<String, TenantJoin> joins = TenantJoin.resolve(columns, keys.primaryKeys(), keys.foreignKeys(),
                    spec.tenantColumn(), tenantTable);
            progress.total(tables.stream().mapToLong(TableInfo::size).sum(), tables.size());
            Delta delta = spec.deltaCache() == null ? null
                    : new Delta(spec.deltaCache(), spec.name(), schema.fingerprint(), parentTables(spec));
            List<DatabaseManifest.Table> dumped = dumpAll(connect, snapshot, tables, spec, joins, keys, delta,
                    progress);
            List<DatabaseManifest.Ddl> ddl = schema.ddl();
            if (dumpedSchema != null) {
                try {
                    ddl = new ArrayList<>(PgDumpSchema.await(dumpedSchema));
                    // Sequence values and refreshes are state the schema-only dump leaves out.
                    schema.ddl().stream().filter(d -> d.phase().stateOnly()).forEach(ddl::add);
                } catch (IOException e) {
                    warnings.add("schema: pg_dump failed (" + e.getMessage() + "); the schema was read from the"
                            + " catalog instead");
                    warnings.addAll(schema.warnings());
                }
            }
            try {
                coordinator.commit();
            } catch (SQLException e) {
                throw connect.failure("back up", e);
            }
            dumped = dumped.stream().sorted(Comparator.comparingLong(DatabaseManifest.Table::bytes).reversed()
                    .thenComparing(DatabaseManifest.Table::qualifiedName)).toList();
            DatabaseManifest manifest = new DatabaseManifest(DatabaseManifest.VERSION, server, connect.database(),
                    spec.tenantColumn(), schema.fingerprint(), ddl, dumped, warnings, tenantTable,
                    keys.foreignKeys());
            byte[] json = Repository.objectMapper().writeValueAsBytes(manifest);
            Repository.SaveResult saved = repository.saveBlob(BlobType.TREE, json, 0, json.length);
            long rows = dumped.stream().mapToLong(DatabaseManifest.Table::rows).sum();
            long bytes = dumped.stream().mapToLong(DatabaseManifest.Table::bytes).sum();
            long added = dumped.stream().mapToLong(DatabaseManifest.Table::addedBytes).sum()
                    + (saved.added() ? json.length : 0);
            for (String w : warnings) {
                progress.warn(w);
            }
            return new Result(saved.id(), manifest, dumped.size(), rows, bytes, added, stored.get()
                    + saved.storedBytes(), warnings);
        } catch (SQLException e) {
            throw connect.failure("back up", e);
        }
    }

    private final AtomicLong stored = new AtomicLong();
    /** The free blocks and chunk buffers of the tables cut per tenant, set for as many as are dumped at once. */
    private volatile TenantChunks.Buffers buffers = new TenantChunks.Buffers(1);

    /**
     * The pg_dump that takes the schema: with {@code schema: pg_dump} always (a warning and the
     * built-in reader when none can dump this server), with {@code auto} only when the built-in
     * reader cannot recreate some object and a compatible pg_dump is installed; null for the
     * built-in reader, whose warnings then go to {@code warnings}.
     */
    private static PgDumpSchema.Tool pgDumpFor(PostgresSourceSpec spec, String server, SchemaReader.Result schema,
                                               List<String> warnings) {
        String mode = spec.schemaMode();
        boolean wanted = "pg_dump".equals(mode) || ("auto".equals(mode) && !schema.warnings().isEmpty());
        PgDumpSchema.Tool tool = null;
        if (wanted) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)").matcher(server);
            tool = PgDumpSchema.find(m.find() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE);
            if (tool == null && "pg_dump".equals(mode)) {
                warnings.add("schema: pg_dump: no pg_dump that can dump a PostgreSQL " + server + " server was found"
                        + " (looked on the PATH and in /usr/lib/postgresql/*/bin); the schema was read from the"
                        + " catalog instead");
            }
        }
        if (tool == null) {
            warnings.addAll(schema.warnings());
        }
        return tool;
    }

    /**
     * Row deltas of one backup: where the caches live and the tables of the source's newest
     * snapshot, whose base streams a patch may refer to.
     */
    private record Delta(Path cacheDir, String source, String schemaFingerprint,
                         Map<String, DatabaseManifest.Table> parent) {
    }

    /** The tables of the newest database snapshot of the source, by {@code schema.name}; empty when none. */
    private Map<String, DatabaseManifest.Table> parentTables(PostgresSourceSpec spec) throws IOException {
        Optional<Snapshot> parent = repository.snapshots().stream()
                .filter(s -> spec.name().equals(s.source()) && DatabaseManifest.KIND.equals(s.kind())
                        && s.tree() != null)
                .max(Comparator.comparing(Snapshot::time));
        if (parent.isEmpty()) {
            return Map.of();
        }
        Map<String, DatabaseManifest.Table> out = new java.util.HashMap<>();
        try {
            DatabaseManifest.load(repository, parent.get().tree()).tables().forEach(t -> out.put(t.qualifiedName(), t));
        } catch (IOException | RuntimeException e) {
            return Map.of(); // an unreadable parent only costs whole tables
        }
        return out;
    }

    /** The configured tenant table as {@code schema.name}; null (and a warning) when it does not exist. */
    private static String tenantTable(PostgresSourceSpec spec, List<TableInfo> all, List<String> warnings) {
        if (spec.tenantTable() == null) {
            return null;
        }
        List<TableInfo> found = all.stream().filter(t -> matches(List.of(spec.tenantTable()), t)).toList();
        if (found.size() != 1) {
            warnings.add("tenant-table '" + spec.tenantTable() + "': " + (found.isEmpty() ? "no such table"
                    : "several tables have that name; give it as schema.name") + "; tenant restores leave it out");
            return null;
        }
        return found.get(0).schema() + "." + found.get(0).name();
    }

    private static List<TableInfo> selected(List<TableInfo> all, PostgresSourceSpec spec) {
        List<TableInfo> out = new ArrayList<>();
        for (TableInfo t : all) {
            boolean included = spec.includeTables().isEmpty() || matches(spec.includeTables(), t);
            if (included && !matches(spec.excludeTables(), t)) {
                out.add(t);
            }
        }
        out.sort(Comparator.comparingLong(TableInfo::size).reversed());
        return out;
    }

    private static boolean matches(List<String> names, TableInfo t) {
        return names.contains(t.name()) || names.contains(t.schema() + "." + t.name());
    }

    private static void lock(Statement st, List<TableInfo> tables, PgConnect connect) throws SQLException {
        st.execute("SET LOCAL lock_timeout = '60s'");
        for (TableInfo t : tables) {
            try {
                st.execute("LOCK TABLE " + qualified(t.schema(), t.name()) + " IN ACCESS SHARE MODE");
            } catch (SQLException e) {
                String state = e.getSQLState() == null ? "" : e.getSQLState();
                if (state.equals("42P01")) {
                    throw new RkException(ErrorCode.FAILED, "table '" + t.schema() + "." + t.name()
                            + "' was dropped while the backup of '" + connect.url()
                            + "' started; nothing was saved as a snapshot, run the backup again", e);
                }
                if (state.equals("55P03")) {
                    throw new RkException(ErrorCode.FAILED, "table '" + t.schema() + "." + t.name()
                            + "' stayed locked by another session (ALTER, DROP, TRUNCATE or VACUUM FULL) for 60 s;"
                            + " nothing was saved as a snapshot, run the backup again when it is done", e);
                }
                throw e;
            }
        }
    }

    private List<DatabaseManifest.Table> dumpAll(PgConnect connect, String snapshot, List<TableInfo> tables,
                                                 PostgresSourceSpec spec, Map<String, TenantJoin> joins, Keys keys,
                                                 Delta delta, ProgressListener progress)
            throws IOException {
        ConcurrentLinkedQueue<TableInfo> queue = new ConcurrentLinkedQueue<>(tables);
        List<DatabaseManifest.Table> out = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean failed = new AtomicBoolean();
        int workers = Math.max(1, Math.min(spec.jobs(), tables.size()));
        buffers = new TenantChunks.Buffers(workers);
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "pg-dump");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                futures.add(pool.submit(() -> {
                    try (Connection c = connect.open()) {
                        c.setAutoCommit(false);
                        try (Statement st = c.createStatement()) {
                            st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                            st.execute("SET TRANSACTION SNAPSHOT " + PgConnect.literal(snapshot));
                        }
                        TableInfo t;
                        while (!failed.get() && (t = queue.poll()) != null) {
                            String q = t.schema() + "." + t.name();
                            out.add(dump(c, t, spec.tenantColumn(), joins.get(q), keys.primaryKeys().get(q), connect,
                                    delta, progress));
                            progress.advance(0, 1);
                        }
                        c.commit();
                    } catch (SQLException e) {
                        failed.set(true);
                        throw connect.failure("back up", e);
                    } catch (RuntimeException | IOException e) {
                        failed.set(true);
                        throw e;
                    }
                    return null;
                }));
            }
            for (Future<Void> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    if (cause instanceof IOException io) {
                        throw io;
                    }
                    throw new IOException(cause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return List.copyOf(out);
    }

    /** Thrown by a patch that grew past {@link #REBASE_FRACTION} of its base: a new base is cheaper. */
    private static final class Rebase extends IOException {
        Rebase() {
            super("the patch outgrew its base");
        }
    }

    /** A patch larger than this fraction of its base's bytes is replaced by a new base. */
    static final double REBASE_FRACTION = 0.2;

    /** What streaming a COPY through the chunker produced. */
    private record Streamed(List<BlobId> chunks, Map<String, List<Integer>> tenantChunks, Map<String, Long> tenantRows,
                            long added, long kept) {
    }

    private DatabaseManifest.Table dump(Connection c, TableInfo t, String tenantColumn, TenantJoin join,
                                        List<String> primaryKey, PgConnect connect, Delta delta,
                                        ProgressListener progress)
            throws SQLException, IOException {
        boolean grouped = join != null && !t.columns().isEmpty();
        String q = t.schema() + "." + t.name();
        RowKeys rowKeys = delta == null ? null : RowKeys.of(t.columns(), primaryKey);
        if (rowKeys == null) {
            return dumpWhole(c, t, tenantColumn, join, primaryKey, connect, null, progress);
        }
        Path cacheFile = DeltaCache.file(delta.cacheDir(), delta.source(), q);
        byte[] fingerprint = DeltaCache.fingerprint(delta.schemaFingerprint(), t.columns(), primaryKey,
                grouped ? join.viaNames() : null, grouped ? join.key() : null);
        DatabaseManifest.Table parent = delta.parent().get(q);
        if (parent != null && !parent.chunks().isEmpty() && grouped == parent.groupedByTenant()) {
            DeltaCache.Base base = DeltaCache.load(cacheFile, DeltaCache.baseId(parent.chunks()), fingerprint);
            if (base != null) {
                DatabaseManifest.Table patched;
                try (base) {
                    patched = dumpPatch(c, t, tenantColumn, join, primaryKey, connect, parent, base, rowKeys,
                            progress);
                }
                if (patched != null) {
                    return patched;
                }
            }
        }
        try (DeltaCache.Writer writer = new DeltaCache.Writer(cacheFile)) {
            DatabaseManifest.Table whole = dumpWhole(c, t, tenantColumn, join, primaryKey, connect,
                    (row, len, rowHash) -> {
                        writer.add(rowKeys.hash(row, 0, len), rowHash);
                        return true;
                    }, progress);
            writer.commit(DeltaCache.baseId(whole.chunks()), fingerprint, whole.bytes());
            return whole;
        }
    }

    private static String dumpSql(TableInfo t, TenantJoin join, List<String> primaryKey) {
        boolean grouped = join != null && !t.columns().isEmpty();
        return grouped ? "COPY (" + join.dumpQuery(t.columns()) + ") TO STDOUT"
                : "COPY " + qualified(t.schema(), t.name()) + columnList(t.columns()) + " TO STDOUT";
    }

    private CopyOut copyOut(Connection c, TableInfo t, String sql, PgConnect connect) {
        try {
            return c.unwrap(PGConnection.class).getCopyAPI().copyOut(sql);
        } catch (SQLException e) {
            throw tableFailure(t, connect, e);
        }
    }

    /**
     * Streams a COPY through the chunker into data blobs; grouped streams are cut per tenant.
     * {@code filter} (may be null) sees every row and picks those stored.
     */
    private Streamed stream(CopyOut copy, TableInfo t, boolean grouped, RowScanner scanner,
                            TenantChunks.RowFilter filter, PgConnect connect, ProgressListener progress)
            throws IOException {
        List<BlobId> chunks = new ArrayList<>();
        Map<String, List<Integer>> tenantChunks = new java.util.TreeMap<>();
        long[] added = {0};
        try {
            if (grouped || filter != null) {
                // One chunker per tenant: no chunk holds two tenants' rows, so a tenant restore
                // reads exactly its own chunks.
                TenantChunks.Result r = new TenantChunks(repository, scanner, grouped, filter, progress, buffers).run(copy);
                stored.addAndGet(r.stored());
                return new Streamed(r.chunks(), r.tenantChunks(), r.tenantRows(), r.added(), r.kept());
            }
            store(repository.chunker(new CopyOutStream(copy, scanner)), Repository.Content.ROWS, chunks, added, progress);
            return new Streamed(chunks, tenantChunks, Map.of(), added[0], scanner.rows());
        } catch (CopyOutStream.CopyFailure e) {
            throw tableFailure(t, connect, e.sql());
        }
    }

    private void finish(CopyOut copy) throws SQLException {
        if (copy.isActive()) {
            copy.cancelCopy();
        }
    }

    private void complete(TableInfo t, RowScanner scanner) {
        if (!scanner.complete()) {
            throw new RkException(ErrorCode.FAILED, "the COPY stream of table '" + t.schema() + "." + t.name()
                    + "' ended inside a row; run the backup again");
        }
    }

    /** The whole table as one stream (a base, when {@code filter} records it in a cache). */
    private DatabaseManifest.Table dumpWhole(Connection c, TableInfo t, String tenantColumn, TenantJoin join,
                                             List<String> primaryKey, PgConnect connect,
                                             TenantChunks.RowFilter filter, ProgressListener progress)
            throws SQLException, IOException {
        boolean grouped = join != null && !t.columns().isEmpty();
        RowScanner scanner = new RowScanner(grouped ? -1 : t.columns().indexOf(tenantColumn));
        CopyOut copy = copyOut(c, t, dumpSql(t, join, primaryKey), connect);
        Streamed s;
        try {
            s = stream(copy, t, grouped, scanner, filter, connect, progress);
        } finally {
            finish(copy);
        }
        complete(t, scanner);
        if (grouped) {
            return new DatabaseManifest.Table(t.schema(), t.name(), t.columns(), scanner.rows(), s.tenantRows(),
                    scanner.digest(), scanner.bytes(), s.added(), s.chunks(), primaryKey, join.viaNames(), join.key(),
                    s.tenantChunks());
        }
        Map<String, Long> tenants = t.columns().contains(tenantColumn) ? scanner.tenants() : null;
        return new DatabaseManifest.Table(t.schema(), t.name(), t.columns(), scanner.rows(), tenants,
                scanner.digest(), scanner.bytes(), s.added(), s.chunks(), primaryKey, null, null, null);
    }

    /**
     * The table as its parent's base stream plus a patch of the rows that differ from the base (by
     * key and row hash, from the cache) and the keys of base rows updated or deleted since. Null
     * when the patch would outgrow {@link #REBASE_FRACTION} of the base: then a new base is due.
     */
    private DatabaseManifest.Table dumpPatch(Connection c, TableInfo t, String tenantColumn, TenantJoin join,
                                             List<String> primaryKey,
                                             PgConnect connect, DatabaseManifest.Table parent, DeltaCache.Base base,
                                             RowKeys rowKeys, ProgressListener progress)
            throws SQLException, IOException {
        boolean grouped = join != null && !t.columns().isEmpty();
        RowScanner scanner = new RowScanner(grouped ? -1 : t.columns().indexOf(tenantColumn));
        DeltaCache.LongList superseded = new DeltaCache.LongList();
        long limit = (long) (base.bytes() * REBASE_FRACTION);
        long[] patchBytes = {0};
        TenantChunks.RowFilter filter = (row, len, rowHash) -> {
            long key = rowKeys.hash(row, 0, len);
            int slot = base.find(key);
            if (slot >= 0) {
                if (!base.markSeen(slot)) {
                    throw new Rebase(); // two keys of the new stream share a hash
                }
                if (base.value(slot) == rowHash) {
                    return false;
                }
                superseded.add(key);
            }
            patchBytes[0] += len + 1;
            if (patchBytes[0] > limit) {
                throw new Rebase();
            }
            return true;
        };
        CopyOut copy = copyOut(c, t, dumpSql(t, join, primaryKey), connect);
        Streamed s;
        try {
            s = stream(copy, t, grouped, scanner, filter, connect, progress);
        } catch (Rebase e) {
            // Read the rest so that the transaction (and its snapshot) stays usable for the new base.
            try {
                while (copy.readFromCopy() != null) {
                    // discarded
                }
            } catch (SQLException failure) {
                throw tableFailure(t, connect, failure);
            }
            return null;
        } finally {
            finish(copy);
        }
        complete(t, scanner);
        base.unseen(superseded);
        long[] keys = superseded.sorted();
        java.nio.ByteBuffer packed = java.nio.ByteBuffer.allocate(keys.length * 8);
        packed.asLongBuffer().put(keys);
        List<BlobId> supersededChunks = new ArrayList<>();
        long[] added = {s.added()};
        store(repository.chunker(new java.io.ByteArrayInputStream(packed.array())), Repository.Content.ANY,
                supersededChunks, added, progress);
        Map<String, Long> tenantRows = grouped ? s.tenantRows()
                : t.columns().contains(tenantColumn) ? scanner.tenants() : null;
        return new DatabaseManifest.Table(t.schema(), t.name(), t.columns(), scanner.rows(), tenantRows,
                scanner.digest(), scanner.bytes(), added[0], parent.chunks(), primaryKey,
                grouped ? join.viaNames() : null, grouped ? join.key() : null, grouped ? parent.tenantChunks() : null,
                s.chunks(), grouped ? s.tenantChunks() : null, supersededChunks, s.kept(), (long) keys.length);
    }

    private void store(Chunker chunker, Repository.Content content, List<BlobId> chunks, long[] added,
                       ProgressListener progress)
            throws IOException {
        Chunker.Chunk chunk;
        while ((chunk = chunker.next()) != null) {
            Repository.SaveResult r = repository.saveBlob(BlobType.DATA, chunk.data(), 0, chunk.length(), content);
            chunks.add(r.id());
            if (r.added()) {
                added[0] += chunk.length();
                stored.addAndGet(r.storedBytes());
            }
            progress.advance(chunk.length(), 0);
        }
    }

    private static RkException tableFailure(TableInfo t, PgConnect connect, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.equals("42P01")) {
            return new RkException(ErrorCode.FAILED, "table '" + t.schema() + "." + t.name()
                    + "' was dropped during the backup; nothing was saved as a snapshot, run the backup again", e);
        }
        if (state.equals("42703")) {
            return new RkException(ErrorCode.FAILED, "table '" + t.schema() + "." + t.name()
                    + "' was altered during the backup; nothing was saved as a snapshot, run the backup again", e);
        }
        return connect.failure("dump table '" + t.schema() + "." + t.name() + "' of", e);
    }

    static String columnList(List<String> columns) {
        return columns.isEmpty() ? "" : " (" + String.join(", ", columns.stream().map(PgConnect::ident).toList())
                + ")";
    }

    private static String single(Statement st, String sql) throws SQLException {
        try (ResultSet r = st.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }
}
