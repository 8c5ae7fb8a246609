package io.restorekit.restore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.Futures;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Records every restore, dry run or applied, as a {@link RunKind#RESTORE} run in the catalog: who,
 * when, source, snapshot, scope, target, plan summary, bytes read and result. A restore that fails
 * is recorded with its error and rethrown.
 *
 * <p>The run's first record is written on a thread of its own while the restore starts: with an
 * embedded catalog that write opens the database file, tens of milliseconds a one-file restore
 * would otherwise wait for. A catalog that cannot record the run does not stop the restore: that
 * is logged as a warning, as for backups.
 */
public final class RestoreRecorder {
    private static final System.Logger LOG = System.getLogger(RestoreRecorder.class.getName());
    private static final ObjectMapper JSON = Repository.objectMapper();

    private final Catalog catalog;
    private final Clock clock;

    public RestoreRecorder(Catalog catalog, Clock clock) {
        this.catalog = catalog;
        this.clock = clock;
    }

    /**
     * What a finished restore reports to the catalog.
     *
     * @param details the plan summary, merged into the run's details after the request's fields
     */
    public record Summary(String snapshot, long bytesRead, long files, long rows, Map<String, Object> details) {
    }

    /** An operation to record. */
    @FunctionalInterface
    public interface Operation<T> {
        T run();
    }

    /**
     * Runs {@code operation} as a recorded restore of {@code source}.
     *
     * @param request the scope and target as asked (tenant, module, files, target, dry-run)
     */
    public <T> T record(String source, Map<String, Object> request, Operation<T> operation,
                        Function<T, Summary> summary) {
        Run begin = Run.begin(RunKind.RESTORE, source, "primary", clock.instant());
        CompletableFuture<Run> begun = Futures.onOwnThread("rk-run-begin", () -> catalog.record(begin));
        T result;
        try {
            result = operation.run();
        } catch (RuntimeException e) {
            Run run = begun(begun);
            if (run != null) {
                Map<String, Object> details = new LinkedHashMap<>(request);
                if (e instanceof RkException rk) {
                    details.put("error-code", rk.code().name());
                }
                update(run.ended(clock.instant(), RunStatus.FAILED, e.getMessage()).withDetails(json(details)));
            }
            throw e;
        }
        Summary s = summary.apply(result);
        Map<String, Object> details = new LinkedHashMap<>(request);
        details.putAll(s.details());
        Run run = begun(begun);
        if (run != null) {
            try (Catalog.Held held = catalog.hold()) {
                update(run.withSnapshot(s.snapshot()).ended(clock.instant(), RunStatus.SUCCEEDED, null)
                        .withVolumes(s.bytesRead(), 0, 0, s.files(), s.rows()).withDetails(json(details)));
            }
        }
        return result;
    }

    /** The run as the catalog recorded it; null (and a warning) when it could not. */
    private static Run begun(CompletableFuture<Run> begun) {
        try {
            return begun.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            LOG.log(System.Logger.Level.WARNING, "the restore is not recorded in the catalog: " + cause.getMessage());
            return null;
        }
    }

    private void update(Run run) {
        try {
            catalog.update(run);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the end of the restore is not recorded in the catalog: "
                    + e.getMessage());
        }
    }

    private static String json(Map<String, Object> details) {
        try {
            return JSON.writeValueAsString(details);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
