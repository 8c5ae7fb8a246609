package io.restorekit.repository;

import java.time.Duration;

/**
 * How {@link Repository#prune} works.
 *
 * @param dryRun          decide and report, write and delete nothing
 * @param repackThreshold repack a pack when at least this share (0..1) of its bytes is unused; above 1: never
 * @param grace           how long a pack stays marked before a later prune may delete it; zero deletes in
 *                        the same run (only safe when no backup can run without a lock prune sees)
 */
public record PruneOptions(boolean dryRun, double repackThreshold, Duration grace) {
    public static final double DEFAULT_REPACK_THRESHOLD = 0.5;
    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);
}
