package io.restorekit.restore;

import io.restorekit.common.BadInputException;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.LockRequest;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryLock;
import io.restorekit.repository.Snapshot;
import io.restorekit.repository.SnapshotNotFoundException;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.PgConnect;
import io.restorekit.source.postgres.PostgresRestore;

import java.io.IOException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/** Restores database snapshots into a database named by a JDBC URL. */
public final class DatabaseRestoreService {
    private final Repository repository;

    public DatabaseRestoreService(Repository repository) {
        this.repository = repository;
    }

    public DatabaseRestoreResult restore(DatabaseRestoreRequest request, ProgressListener progress) {
        long t0 = System.nanoTime();
        if (request.target() == null || !request.target().startsWith("jdbc:postgresql:")) {
            throw new BadInputException("a database restore needs --target jdbc:postgresql://HOST[:PORT]/DATABASE,"
                    + " got '" + PgConnect.redact(request.target()) + "'");
        }
        PgConnect target = new PgConnect(request.target(), request.username(), request.password(), null);
        try {
            Snapshot snapshot = choose(request.source(), request.snapshot(), request.at());
            DatabaseManifest manifest = DatabaseManifest.load(repository, snapshot.tree());
            long rows = manifest.tables().stream().mapToLong(DatabaseManifest.Table::rows).sum();
            long bytes = manifest.tables().stream().mapToLong(DatabaseManifest.Table::bytes).sum();
            if (request.dryRun()) {
                long existing = PostgresRestore.tablesIn(target);
                return new DatabaseRestoreResult(snapshot.id(), snapshot.source(), target.database(), true, existing,
                        false, manifest.tables().size(), rows, bytes, List.of(), (System.nanoTime() - t0) / 1_000_000);
            }
            try (RepositoryLock lock = repository.lock(LockRequest.shared("restore"))) {
                PostgresRestore.Result r = new PostgresRestore(repository).restore(manifest, target,
                        new PostgresRestore.Options(Math.max(1, request.jobs()), request.overwrite()), progress);
                return new DatabaseRestoreResult(snapshot.id(), snapshot.source(), r.database(), false,
                        r.existingTables(), r.created(), r.tables(), r.rows(), r.bytes(),
                        r.phases().stream().map(p -> new DatabaseRestoreResult.Phase(p.phase(), p.durationMs()))
                                .toList(), (System.nanoTime() - t0) / 1_000_000);
            }
        } catch (IOException e) {
            throw new RkException(RestoreService.codeOf(e), "restore into '" + PgConnect.redact(request.target())
                    + "' failed: " + e.getMessage(), e);
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
            if (!DatabaseManifest.KIND.equals(s.kind()) || s.tree() == null) {
                throw new BadInputException("snapshot " + s.shortId() + " of source '" + s.source()
                        + "' is not a PostgreSQL snapshot");
            }
            return s;
        }
        if (source == null) {
            throw new BadInputException("restore needs --source NAME (or --snapshot ID)");
        }
        return repository.snapshots().stream()
                .filter(s -> source.equals(s.source()) && DatabaseManifest.KIND.equals(s.kind()) && s.tree() != null)
                .filter(s -> at == null || !s.time().isAfter(at))
                .max(Comparator.comparing(Snapshot::time))
                .orElseThrow(() -> new SnapshotNotFoundException("no PostgreSQL snapshot of source '" + source + "'"
                        + (at == null ? "" : " at or before " + at) + "; list them with 'rk snapshots --source "
                        + source + "'"));
    }
}
