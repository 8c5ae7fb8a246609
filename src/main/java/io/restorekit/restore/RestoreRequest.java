package io.restorekit.restore;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A files restore.
 *
 * @param source    the source whose snapshots are searched (and checked against {@code snapshot})
 * @param snapshot  a snapshot id or unique prefix; null to choose by {@code at} or the latest
 * @param at        with no {@code snapshot}: the newest snapshot at or before this moment (with
 *                  {@code files}: the newest that contains them all); null for now
 * @param files     paths relative to the source root; a folder restores its subtree; empty for everything
 * @param target    the folder to write into; for {@code --in-place} the source's own path
 * @param dryRun    plan only, write nothing
 * @param overwrite permission to replace files that differ ({@code --yes})
 * @param scope     a tenant's and/or module's paths; null for {@code files} (or everything)
 */
public record RestoreRequest(String source, String snapshot, Instant at, List<String> files, Path target,
                             boolean dryRun, boolean overwrite, PathScope scope) {
    public RestoreRequest {
        files = files == null ? List.of() : List.copyOf(files);
    }

    public RestoreRequest(String source, String snapshot, Instant at, List<String> files, Path target,
                          boolean dryRun, boolean overwrite) {
        this(source, snapshot, at, files, target, dryRun, overwrite, null);
    }
}
