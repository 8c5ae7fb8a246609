package io.restorekit.retention;

import java.time.Duration;

/**
 * One prune run.
 *
 * @param repackThreshold repack packs with at least this share (0..1) of unused bytes; above 1: never
 * @param grace           marked packs are deleted by a prune at least this much later; zero: at once
 */
public record PruneRequest(boolean dryRun, double repackThreshold, Duration grace) {
}
