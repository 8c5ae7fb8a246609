package io.restorekit.retention;

import java.util.List;

/**
 * What forget decided and did.
 *
 * @param removed snapshot manifests removed (0 in a dry run)
 * @param locked  snapshots the plan removes but Object Lock retention still protects: left in place
 */
public record ForgetResult(boolean dryRun, RetentionPlan plan, int removed, int locked, long durationMs,
                           List<String> warnings) {
    public ForgetResult {
        warnings = List.copyOf(warnings);
    }
}
