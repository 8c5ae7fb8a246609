package io.restorekit.restore;

import io.restorekit.common.BadInputException;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.LockRequest;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryLock;
import io.restorekit.repository.Snapshot;
import io.restorekit.repository.SnapshotNotFoundException;
import io.restorekit.source.DatabaseSpec;
import io.restorekit.source.mysql.MySqlConnect;
import io.restorekit.source.mysql.MySqlRestore;
import io.restorekit.source.mysql.MySqlScopedRestore;
import io.restorekit.source.mysql.MySqlSourceSpec;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.PgConnect;
import io.restorekit.source.postgres.PostgresRestore;

import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.source.postgres.PostgresSourceSpec;
import io.restorekit.source.postgres.ScopedRestore;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restores database snapshots: whole into a database named by a JDBC URL, or scoped to a tenant
 * and/or module, in place or into another database. Every restore is recorded in the catalog.
 */
public final class DatabaseRestoreService {
    private final Repository repository;
    private final RestoreRecorder recorder;

    public DatabaseRestoreService(Repository repository, Catalog catalog, Clock clock) {
        this.repository = repository;
        this.recorder = new RestoreRecorder(catalog, clock);
    }

    public DatabaseRestoreService(Repository repository, Catalog catalog) {
        this(repository, catalog, Clock.systemUTC());
    }

    /** A service whose runs are recorded only in a catalog of its own (tests, the demo). */
    public DatabaseRestoreService(Repository repository) {
        this(repository, new InMemoryCatalog());
    }

    public DatabaseRestoreResult restore(DatabaseRestoreRequest request, ProgressListener progress) {
        Map<String, Object> asked = new LinkedHashMap<>();
        asked.put("target", MySqlConnect.redact(request.target()));
        asked.put("scope", "whole database");
        asked.put("dry-run", request.dryRun());
        return recorder.record(request.source(), asked, () -> restoreWhole(request, progress), r -> {
            Map<String, Object> plan = new LinkedHashMap<>();
            plan.put("tables", r.tables());
            plan.put("rows", r.rows());
            plan.put("target-tables", r.targetTables());
            plan.put("created", r.created());
            plan.put("bytes-read", r.dryRun() ? 0 : r.bytes());
            return new RestoreRecorder.Summary(r.snapshotId(), r.dryRun() ? 0 : r.bytes(), 0, r.dryRun() ? 0
                    : r.rows(), plan);
        });
    }

    /**
     * A tenant and/or module restore: plans against the target (dry run), applies in place in one
     * transaction, or writes the scope into another database.
     */
    public ScopedRestoreResult restoreScoped(ScopedRestoreRequest request, ProgressListener progress) {
        return restoreScoped(request, null, progress);
    }

    /**
     * Starts logging in to the database that an in-place scoped restore of {@code source} reads and
     * changes, before the repository is even open (see {@link PgConnect#prepare}); null when there is
     * nothing to start (not in place, not PostgreSQL). Give the result to
     * {@link #restoreScoped(ScopedRestoreRequest, PgConnect, ProgressListener)}; the caller closes
     * what is left of it with {@link PgConnect#closePrepared()}.
     */
    public static PgConnect connectAhead(DatabaseSpec source, boolean inPlace) {
        if (!inPlace || !(source instanceof PostgresSourceSpec pg)) {
            return null;
        }
        return PgConnect.of(pg).prepare(Math.max(1, pg.jobs()));
    }

    /** The same, using the connections {@code ahead} started (from {@link #connectAhead}) when in place. */
    public ScopedRestoreResult restoreScoped(ScopedRestoreRequest request, PgConnect ahead,
                                             ProgressListener progress) {
        if (request.tenant() == null && request.moduleTables() == null) {
            throw new BadInputException("a scoped restore needs --tenant and/or --module");
        }
        if (request.inPlace() == (request.target() != null)) {
            throw new BadInputException(request.inPlace() ? "give --target JDBC-URL or --in-place, not both"
                    : "restoring part of database source '" + request.source().name() + "' needs a target: give"
                    + " --in-place or --target " + urlForm(request.source()));
        }
        Map<String, Object> asked = new LinkedHashMap<>();
        Map<String, Object> scope = new LinkedHashMap<>();
        scope.put("tenant", request.tenant());
        scope.put("module", request.module());
        asked.put("scope", scope);
        asked.put("target", request.inPlace() ? "in place" : MySqlConnect.redact(request.target()));
        asked.put("dry-run", request.dryRun());
        return recorder.record(request.source().name(), asked, () -> scoped(request, ahead, progress), r -> {
            Map<String, Object> plan = new LinkedHashMap<>();
            ScopedRestore.Outcome o = r.outcome();
            plan.put("applied", o.applied());
            plan.put("tables", o.tables().size());
            plan.put("rows-to-delete", o.total(ScopedRestore.TablePlan::toDelete));
            plan.put("rows-to-update", o.total(ScopedRestore.TablePlan::toUpdate));
            plan.put("rows-to-insert", o.total(ScopedRestore.TablePlan::toInsert));
            plan.put("rows-unchanged", o.total(ScopedRestore.TablePlan::unchanged));
            plan.put("bytes-read", o.bytesRead());
            plan.put("table-bytes", o.tableBytes());
            return new RestoreRecorder.Summary(r.snapshot().id(), o.bytesRead(), 0, o.applied() ? r.rowsChanged() : 0,
                    plan);
        });
    }

    private static String urlForm(DatabaseSpec source) {
        return source instanceof MySqlSourceSpec ? "jdbc:mariadb://HOST[:PORT]/DATABASE"
                : "jdbc:postgresql://HOST[:PORT]/DATABASE";
    }

    private ScopedRestoreResult scoped(ScopedRestoreRequest request, PgConnect ahead, ProgressListener progress) {
        if (request.source() instanceof MySqlSourceSpec source) {
            MySqlScopedRestore engine = new MySqlScopedRestore(repository);
            return scoped(request, DatabaseManifest.MYSQL_KIND, (manifest, scope) -> {
                MySqlConnect database = request.inPlace() ? MySqlConnect.of(source)
                        : new MySqlConnect(request.target(), request.targetUsername(), request.targetPassword(), null);
                return new Ran(database.url(), !request.inPlace()
                        ? engine.restoreInto(manifest, scope, database, request.overwrite(), request.dryRun(), progress)
                        : request.dryRun() ? engine.plan(manifest, scope, database, progress)
                        : engine.applyInPlace(manifest, scope, database, progress));
            });
        }
        if (!(request.source() instanceof PostgresSourceSpec source)) {
            throw new BadInputException("source '" + request.source().name() + "' is of type '"
                    + request.source().type() + "', which scoped restores do not handle");
        }
        ScopedRestore engine = new ScopedRestore(repository, source.jobs());
        PgConnect database = request.inPlace() && ahead != null ? ahead : request.inPlace()
                // the source database exists: log in while the snapshot and its manifest are read
                ? connectAhead(source, true)
                : new PgConnect(request.target(), request.targetUsername(), request.targetPassword(), null);
        try {
            return scoped(request, null, (manifest, scope) -> new Ran(database.url(), !request.inPlace()
                    ? engine.restoreInto(manifest, scope, database, request.overwrite(), request.dryRun(), progress)
                    : request.dryRun() ? engine.plan(manifest, scope, database, progress)
                    : engine.applyInPlace(manifest, scope, database, progress)));
        } finally {
            database.closePrepared();
        }
    }

    /** Where a scoped restore went and what it did. */
    private record Ran(String target, ScopedRestore.Outcome outcome) {
    }

    /** The scoped restore of one engine, on the snapshot chosen by the request. */
    private interface ScopedRun {
        Ran run(DatabaseManifest manifest, ScopedRestore.Scope scope) throws IOException;
    }

    /** Chooses the snapshot (of {@code kind} when given), loads its manifest and runs under a shared lock. */
    private ScopedRestoreResult scoped(ScopedRestoreRequest request, String kind, ScopedRun run) {
        String name = request.source().name();
        try {
            Snapshot snapshot = choose(name, request.snapshot(), request.at());
            if (kind != null) {
                requireKind(snapshot, kind, request.target());
            }
            DatabaseManifest manifest = DatabaseManifest.load(repository, snapshot.tree());
            ScopedRestore.Scope scope = new ScopedRestore.Scope(request.tenant(), request.module(),
                    request.moduleTables());
            try (RepositoryLock lock = repository.lock(LockRequest.shared("restore"))) {
                Ran ran = run.run(manifest, scope);
                return new ScopedRestoreResult(snapshot, name, request.tenant(), request.module(), ran.target(),
                        request.inPlace(), request.dryRun(), ran.outcome());
            }
        } catch (IOException e) {
            throw new RkException(RestoreService.codeOf(e), "restore of source '" + name + "' failed: "
                    + e.getMessage(), e);
        }
    }

    /** A PostgreSQL snapshot restores into PostgreSQL only, a MySQL one into MySQL or MariaDB only. */
    private static void requireKind(Snapshot snapshot, String kind, String target) {
        if (!kind.equals(snapshot.kind())) {
            throw new BadInputException("snapshot " + snapshot.shortId() + " of source '" + snapshot.source()
                    + "' is a " + (DatabaseManifest.MYSQL_KIND.equals(snapshot.kind()) ? "MySQL/MariaDB" : "PostgreSQL")
                    + " snapshot; it cannot be restored into '" + MySqlConnect.redact(target) + "'; give a "
                    + (DatabaseManifest.MYSQL_KIND.equals(snapshot.kind()) ? "jdbc:mariadb:// or jdbc:mysql://"
                    : "jdbc:postgresql://") + " URL");
        }
    }

    private DatabaseRestoreResult restoreWhole(DatabaseRestoreRequest request, ProgressListener progress) {
        if (MySqlConnect.accepts(request.target())) {
            return restoreWholeMysql(request, progress);
        }
        long t0 = System.nanoTime();
        if (request.target() == null || !request.target().startsWith("jdbc:postgresql:")) {
            throw new BadInputException("a database restore needs --target jdbc:postgresql://HOST[:PORT]/DATABASE"
                    + " (or jdbc:mariadb://... for a MySQL source), got '" + PgConnect.redact(request.target()) + "'");
        }
        PgConnect target = new PgConnect(request.target(), request.username(), request.password(), null);
        try {
            Snapshot snapshot = choose(request.source(), request.snapshot(), request.at());
            requireKind(snapshot, DatabaseManifest.KIND, request.target());
            DatabaseManifest manifest = DatabaseManifest.load(repository, snapshot.tree());
            long rows = manifest.tables().stream().mapToLong(DatabaseManifest.Table::rows).sum();
            long bytes = manifest.tables().stream().mapToLong(DatabaseManifest.Table::bytes).sum();
            if (request.dryRun()) {
                long existing = PostgresRestore.tablesIn(target);
                PostgresRestore.Beyond beyond = existing > 0 ? PostgresRestore.beyond(manifest, target)
                        : new PostgresRestore.Beyond(List.of(), List.of());
                return new DatabaseRestoreResult(snapshot.id(), snapshot.source(), target.database(), true, existing,
                        false, manifest.tables().size(), rows, bytes, List.of(), (System.nanoTime() - t0) / 1_000_000,
                        beyond.droppedWith(), beyond.referencesKept());
            }
            try (RepositoryLock lock = repository.lock(LockRequest.shared("restore"))) {
                PostgresRestore.Result r = new PostgresRestore(repository).restore(manifest, target,
                        new PostgresRestore.Options(Math.max(1, request.jobs()), request.overwrite(),
                                request.analyze()), progress);
                return new DatabaseRestoreResult(snapshot.id(), snapshot.source(), r.database(), false,
                        r.existingTables(), r.created(), r.tables(), r.rows(), r.bytes(),
                        r.phases().stream().map(p -> new DatabaseRestoreResult.Phase(p.phase(), p.durationMs()))
                                .toList(), (System.nanoTime() - t0) / 1_000_000, r.droppedWith(), r.referencesKept());
            }
        } catch (IOException e) {
            throw new RkException(RestoreService.codeOf(e), "restore into '" + PgConnect.redact(request.target())
                    + "' failed: " + e.getMessage(), e);
        }
    }

    private DatabaseRestoreResult restoreWholeMysql(DatabaseRestoreRequest request, ProgressListener progress) {
        long t0 = System.nanoTime();
        MySqlConnect target = new MySqlConnect(request.target(), request.username(), request.password(), null);
        try {
            Snapshot snapshot = choose(request.source(), request.snapshot(), request.at());
            requireKind(snapshot, DatabaseManifest.MYSQL_KIND, request.target());
            DatabaseManifest manifest = DatabaseManifest.load(repository, snapshot.tree());
            long rows = manifest.tables().stream().mapToLong(DatabaseManifest.Table::rows).sum();
            long bytes = manifest.tables().stream().mapToLong(DatabaseManifest.Table::bytes).sum();
            if (request.dryRun()) {
                long existing = MySqlRestore.tablesIn(target);
                MySqlRestore.checkTarget(manifest, target);
                return new DatabaseRestoreResult(snapshot.id(), snapshot.source(), target.database(), true, existing,
                        false, manifest.tables().size(), rows, bytes, List.of(), (System.nanoTime() - t0) / 1_000_000,
                        List.of(), existing > 0 ? MySqlRestore.referencesKept(target) : List.of());
            }
            try (RepositoryLock lock = repository.lock(LockRequest.shared("restore"))) {
                MySqlRestore.Result r = new MySqlRestore(repository).restore(manifest, target,
                        new MySqlRestore.Options(Math.max(1, request.jobs()), request.overwrite()), progress);
                return new DatabaseRestoreResult(snapshot.id(), snapshot.source(), r.database(), false,
                        r.existingTables(), r.created(), r.tables(), r.rows(), r.bytes(),
                        r.phases().stream().map(p -> new DatabaseRestoreResult.Phase(p.phase(), p.durationMs()))
                                .toList(), (System.nanoTime() - t0) / 1_000_000, List.of(), r.referencesKept());
            }
        } catch (IOException e) {
            throw new RkException(RestoreService.codeOf(e), "restore into '" + target.url() + "' failed: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The database snapshot to restore: {@code idOrPrefix} when given (it must belong to
     * {@code source}), otherwise the newest of {@code source} at or before {@code at}.
     */
    public Snapshot choose(String source, String idOrPrefix, Instant at) throws IOException {
        if (idOrPrefix != null) {
            Snapshot s = repository.loadSnapshot(idOrPrefix);
            if (source != null && !source.equals(s.source())) {
                throw new BadInputException("snapshot " + s.shortId() + " belongs to source '" + s.source()
                        + "', not '" + source + "'");
            }
            if (!DatabaseManifest.isDatabase(s.kind()) || s.tree() == null) {
                throw new BadInputException("snapshot " + s.shortId() + " of source '" + s.source()
                        + "' is not a database snapshot");
            }
            return s;
        }
        if (source == null) {
            throw new BadInputException("restore needs --source NAME (or --snapshot ID)");
        }
        return repository.snapshots().stream()
                .filter(s -> source.equals(s.source()) && DatabaseManifest.isDatabase(s.kind()) && s.tree() != null)
                .filter(s -> at == null || !s.time().isAfter(at))
                .max(Comparator.comparing(Snapshot::time))
                .orElseThrow(() -> new SnapshotNotFoundException("no database snapshot of source '" + source + "'"
                        + (at == null ? "" : " at or before " + at) + "; list them with 'rk snapshots --source "
                        + source + "'"));
    }
}
