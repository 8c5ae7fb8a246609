package io.restorekit.archive;

import java.nio.file.Path;
import java.util.List;

/**
 * An export that was written completely: every file is on disk and synced.
 *
 * @param folder the export folder ({@code DIR/restorekit-export-YYYY-MM})
 */
public record ExportResult(Path folder, List<ExportedFile> files, long durationMs) {
    public ExportResult {
        files = List.copyOf(files);
    }

    public long bytes() {
        return files.stream().mapToLong(ExportedFile::bytes).sum();
    }

    /**
     * One encrypted archive of the export.
     *
     * @param kind       {@code files} (a tar), {@code postgres} (a psql script) or {@code mysql} (a script for
     *                   the mariadb or mysql client)
     * @param plainBytes the tar or SQL before compression and encryption
     * @param bytes      the encrypted file's size
     * @param items      files in the tar, or rows in the SQL script
     */
    public record ExportedFile(String name, String source, String snapshot, String snapshotTime, String kind,
                               long plainBytes, long bytes, String sha256, long items) {
    }
}
