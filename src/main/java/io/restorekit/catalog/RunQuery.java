package io.restorekit.catalog;

import java.time.Instant;

/**
 * Which runs to list; null fields do not filter. Results come newest first.
 *
 * @param limit at most this many; 0 for all
 */
public record RunQuery(RunKind kind, String source, Instant since, int limit) {
    public static final RunQuery ALL = new RunQuery(null, null, null, 0);

    public static RunQuery of(RunKind kind) {
        return new RunQuery(kind, null, null, 0);
    }
}
