package io.restorekit.retention;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.LockRequest;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryLock;
import io.restorekit.repository.Snapshot;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies the retention policy: plans which snapshots go and why, then (unless a dry run)
 * removes their manifests under an exclusive lock. Their data stays until {@code prune}. A real
 * run is recorded in the catalog as a FORGET run.
 */
public final class ForgetService {
    private final Repository repository;
    private final Catalog catalog;
    private final Clock clock;

    public ForgetService(Repository repository, Catalog catalog, Clock clock) {
        this.repository = repository;
        this.catalog = catalog;
        this.clock = clock;
    }

    public ForgetResult forget(ForgetRequest request, ProgressListener progress) {
        long start = System.nanoTime();
        if (!request.dryRun() && repository.appendOnly()) {
            throw new RkException(ErrorCode.NOT_PERMITTED, "repository '" + repository.storage().location()
                    + "' is append-only here: forget removes nothing; run it from a host allowed to delete"
                    + " (or use --dry-run to see the plan)");
        }
        Run run = request.dryRun() ? null
                : catalog.record(Run.begin(RunKind.FORGET, null, "primary", clock.instant()));
        try (RepositoryLock lock = repository.lock(request.dryRun() ? LockRequest.shared("forget --dry-run")
                : LockRequest.exclusive("forget"))) {
            List<Snapshot> snapshots = repository.snapshots();
            List<SnapshotRef> refs = snapshots.stream().filter(s -> s.time() != null).map(SnapshotRef::of).toList();
            Set<String> drilled = Drills.passed(catalog, refs.stream().map(SnapshotRef::id).toList());
            Instant now = clock.instant();
            RetentionPlan plan = RetentionPlanner.plan(refs, request.policy(), drilled, now, request.zone());
            List<String> warnings = new ArrayList<>();
            int removed = 0;
            int locked = 0;
            if (!request.dryRun()) {
                List<RetentionPlan.Decision> going = plan.removed();
                progress.total(-1, going.size());
                for (RetentionPlan.Decision d : going) {
                    Handle handle = new Handle(Kind.SNAPSHOT, d.snapshot().id());
                    if (repository.storage().supportsRetention()) {
                        Instant until = repository.storage().retainUntil(handle);
                        if (until != null && until.isAfter(now)) {
                            locked++;
                            warnings.add("snapshot " + d.snapshot().shortId() + " is under Object Lock retention until "
                                    + until + "; left in place");
                            continue;
                        }
                    }
                    repository.removeSnapshot(d.snapshot().id());
                    removed++;
                    progress.advance(0, 1);
                }
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            ForgetResult result = new ForgetResult(request.dryRun(), plan, removed, locked, ms, warnings);
            if (run != null) {
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("kept", plan.kept().size());
                details.put("removed", removed);
                details.put("locked", locked);
                details.put("snapshots-removed", plan.removed().stream().map(d -> d.snapshot().id()).toList());
                catalog.update(run.ended(clock.instant(), warnings.isEmpty() ? RunStatus.SUCCEEDED : RunStatus.WARNING,
                        null).withVolumes(0, 0, 0, removed, 0).withDetails(json(details)));
            }
            return result;
        } catch (IOException | RuntimeException e) {
            if (run != null) {
                catalog.update(run.ended(clock.instant(), RunStatus.FAILED, e.getMessage()));
            }
            if (e instanceof RkException rk) {
                throw rk;
            }
            throw new RkException(ErrorCode.FAILED, "forget on '" + repository.storage().location()
                    + "' could not complete: " + e.getMessage(), e);
        }
    }

    static String json(Object details) {
        try {
            return new ObjectMapper().writeValueAsString(details);
        } catch (IOException e) {
            return null;
        }
    }
}
