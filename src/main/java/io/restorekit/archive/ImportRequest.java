package io.restorekit.archive;

import io.restorekit.source.SourceSpec;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * An existing backup to bring into the repository as a snapshot of {@code source}.
 *
 * @param file    a tar, tar.gz or tar.zst archive (files sources), or a pg_dump file (postgres sources)
 * @param time    the snapshot time; null: taken from a date in the file name, else the file's modification time
 * @param zone    the zone dates in file names are read in
 * @param scratch a folder for temporary data (RK_HOME), removed again when the import ends
 */
public record ImportRequest(SourceSpec source, Path file, Instant time, ZoneId zone, List<String> tags, Path scratch) {
    public ImportRequest {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }
}
