package io.restorekit.restore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Records every restore, dry run or applied, as a {@link RunKind#RESTORE} run in the catalog: who,
 * when, source, snapshot, scope, target, plan summary, bytes read and result. A restore that fails
 * is recorded with its error and rethrown.
 */
public final class RestoreRecorder {
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
        Run run = catalog.record(Run.begin(RunKind.RESTORE, source, "primary", clock.instant()));
        T result;
        try {
            result = operation.run();
        } catch (RuntimeException e) {
            Map<String, Object> details = new LinkedHashMap<>(request);
            if (e instanceof RkException rk) {
                details.put("error-code", rk.code().name());
            }
            catalog.update(run.ended(clock.instant(), RunStatus.FAILED, e.getMessage()).withDetails(json(details)));
            throw e;
        }
        Summary s = summary.apply(result);
        Map<String, Object> details = new LinkedHashMap<>(request);
        details.putAll(s.details());
        try (Catalog.Held held = catalog.hold()) {
            catalog.update(run.withSnapshot(s.snapshot()).ended(clock.instant(), RunStatus.SUCCEEDED, null)
                    .withVolumes(s.bytesRead(), 0, 0, s.files(), s.rows()).withDetails(json(details)));
        }
        return result;
    }

    private static String json(Map<String, Object> details) {
        try {
            return JSON.writeValueAsString(details);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
