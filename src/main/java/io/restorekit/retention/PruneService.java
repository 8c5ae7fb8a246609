package io.restorekit.retention;

import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.BlobSet;
import io.restorekit.repository.LockRequest;
import io.restorekit.repository.PruneOptions;
import io.restorekit.repository.PruneReport;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryLock;
import io.restorekit.repository.Snapshot;

import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deletes data no snapshot needs. Under an exclusive lock (a dry run takes a shared one), it
 * collects the blobs every snapshot needs, then lets the repository repack, mark and delete in
 * two phases (see {@link Repository#prune}). A real run is recorded as a PRUNE run whose
 * {@code bytesStored} is the space reclaimed.
 */
public final class PruneService {
    private final Repository repository;
    private final Catalog catalog;
    private final Clock clock;

    public PruneService(Repository repository, Catalog catalog, Clock clock) {
        this.repository = repository;
        this.catalog = catalog;
        this.clock = clock;
    }

    public PruneResult prune(PruneRequest request, ProgressListener progress) {
        long start = System.nanoTime();
        if (!request.dryRun() && repository.appendOnly()) {
            throw new RkException(ErrorCode.NOT_PERMITTED, "repository '" + repository.storage().location()
                    + "' is append-only here: prune deletes nothing; run it from a host allowed to delete"
                    + " (or use --dry-run to see what it would reclaim)");
        }
        Run run = request.dryRun() ? null
                : catalog.record(Run.begin(RunKind.PRUNE, null, "primary", clock.instant()));
        try (RepositoryLock lock = repository.lock(request.dryRun() ? LockRequest.shared("prune --dry-run")
                : LockRequest.exclusive("prune"))) {
            // The repository may have been opened long ago (the interactive shell): what backups wrote
            // since then must count.
            repository.refreshIndex();
            List<Snapshot> snapshots = repository.snapshots();
            BlobSet used = UsedBlobs.collect(repository, snapshots, progress);
            PruneReport report = repository.prune(used, new PruneOptions(request.dryRun(), request.repackThreshold(),
                    request.grace()), progress);
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (run != null) {
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("packs-deleted", report.deletedPacks());
                details.put("packs-repacked", report.repackedPacks());
                details.put("packs-marked", report.markedPacks());
                details.put("packs-rescued", report.rescuedPacks());
                details.put("packs-locked", report.lockedPacks());
                details.put("bytes-before", report.packBytes());
                details.put("bytes-after", report.bytesAfter());
                details.put("next-deletion", report.nextDeletion() == null ? null : report.nextDeletion().toString());
                details.put("warnings", report.warnings());
                catalog.update(run.ended(clock.instant(), report.warnings().isEmpty() ? RunStatus.SUCCEEDED
                                : RunStatus.WARNING, null)
                        .withVolumes(report.packBytes(), report.repackedBytes(), Math.max(0, report.reclaimedBytes()),
                                0, 0)
                        .withDetails(ForgetService.json(details)));
            }
            return new PruneResult(report, snapshots.size(), ms);
        } catch (IOException | RuntimeException e) {
            if (run != null) {
                catalog.update(run.ended(clock.instant(), RunStatus.FAILED, e.getMessage()));
            }
            if (e instanceof RkException rk) {
                throw rk;
            }
            throw new RkException(ErrorCode.FAILED, "prune on '" + repository.storage().location()
                    + "' could not complete: " + e.getMessage(), e);
        }
    }
}
