package io.restorekit.status;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the status looks at, taken from the configuration by the caller.
 *
 * @param sources      configured source names, in order
 * @param sourcePaths  folders of files sources, whose disks are checked for free space
 * @param staleAfter   the age at which a source turns red (and alerts); null: {@link #DEFAULT_STALE} for colour only
 * @param nextBackup   the next scheduled backup after a moment, or null when none is scheduled
 */
public record StatusSettings(List<String> sources, Map<String, Path> sourcePaths, Duration staleAfter,
                             NextRun nextBackup) {
    public static final Duration DEFAULT_STALE = Duration.ofHours(24);

    public StatusSettings {
        sources = List.copyOf(sources);
        sourcePaths = Map.copyOf(sourcePaths);
    }

    @FunctionalInterface
    public interface NextRun {
        Instant after(Instant moment);
    }
}
