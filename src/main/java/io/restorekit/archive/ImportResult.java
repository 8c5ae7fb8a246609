package io.restorekit.archive;

import java.time.Instant;

/**
 * A snapshot made from an existing backup.
 *
 * @param timeFrom where the snapshot time came from: {@code given}, {@code file name} or {@code file time}
 * @param format   what the file was read as ({@code tar}, {@code tar.gz}, {@code tar.zst}, {@code pg_dump plain},
 *                 {@code pg_dump custom})
 * @param items    files imported, or rows for a database
 */
public record ImportResult(String source, String snapshotId, Instant time, String timeFrom, String format,
                           long items, long bytes, long addedBytes, long durationMs) {
}
