package io.restorekit.archive;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * What to export: the newest snapshot of each named source (all sources with snapshots when none are
 * named), or one given snapshot.
 *
 * @param to         the folder (an external drive's mount point); the export goes into a new
 *                   {@code restorekit-export-YYYY-MM} folder inside it
 * @param snapshot   one snapshot id or prefix, or null
 * @param passphrase what the exported files are encrypted with (OpenPGP symmetric)
 * @param now        names the export folder by its month in {@code zone}
 */
public record ExportRequest(Path to, List<String> sources, String snapshot, char[] passphrase, Instant now,
                            ZoneId zone) {
    public ExportRequest {
        sources = sources == null ? List.of() : List.copyOf(sources);
    }
}
