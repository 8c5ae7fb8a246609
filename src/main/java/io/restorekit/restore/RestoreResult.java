package io.restorekit.restore;

import java.util.List;

/**
 * What a restore did. After a dry run only {@code plan} is meaningful and the counts are zero.
 *
 * @param warnings metadata that could not be set (owner, mode, times); the content was restored
 */
public record RestoreResult(RestorePlan plan, boolean dryRun, long filesWritten, long filesOverwritten,
                            long filesUnchanged, long dirsCreated, long bytesWritten, long durationMs,
                            List<String> warnings) {
    public RestoreResult {
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }
}
