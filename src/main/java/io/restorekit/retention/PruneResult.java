package io.restorekit.retention;

import io.restorekit.repository.PruneReport;

/**
 * What prune did (or would do), with the snapshots it kept data for.
 *
 * @param snapshots the snapshots whose data was kept
 */
public record PruneResult(PruneReport report, int snapshots, long durationMs) {
}
