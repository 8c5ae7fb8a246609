package io.restorekit.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.restorekit.common.ErrorCode;
import io.restorekit.repository.Snapshot;

import java.time.Instant;
import java.util.List;

/**
 * What a backup run did, per source. A source that failed does not stop the others; its entry
 * carries the error instead of a snapshot.
 *
 * @param run the run id shared by the run's snapshots
 */
public record BackupResult(String run, List<SourceResult> sources) {
    public BackupResult {
        sources = List.copyOf(sources);
    }

    /** Whether every source produced a snapshot. */
    public boolean succeeded() {
        return sources.stream().allMatch(s -> s.error() == null);
    }

    /** The exit code for the run: that of the first failed source, or OK. */
    public ErrorCode code() {
        return sources.stream().filter(s -> s.error() != null).map(SourceResult::errorCode).findFirst()
                .orElse(ErrorCode.OK);
    }

    /**
     * @param snapshotId the new snapshot, or null when the source failed
     * @param parentId   the snapshot used for change detection, or null
     * @param error      why the source failed (operator-facing message), or null
     * @param tables     per table of a database source, what the snapshot holds and added; null for
     *                   files sources and failed ones
     * @param notes      what the operator may want to know that is no warning (why a database
     *                   backup read every table although it had a previous snapshot)
     */
    public record SourceResult(String source, String snapshotId, String parentId, Instant time,
                               Snapshot.Summary summary, List<Snapshot.Warning> warnings,
                               ErrorCode errorCode, String error,
                               @JsonInclude(JsonInclude.Include.NON_NULL) List<TableResult> tables,
                               @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> notes) {
        public SourceResult {
            warnings = warnings == null ? List.of() : List.copyOf(warnings);
            tables = tables == null ? null : List.copyOf(tables);
            notes = notes == null ? List.of() : List.copyOf(notes);
        }

        public SourceResult(String source, String snapshotId, String parentId, Instant time,
                            Snapshot.Summary summary, List<Snapshot.Warning> warnings, ErrorCode errorCode,
                            String error, List<TableResult> tables) {
            this(source, snapshotId, parentId, time, summary, warnings, errorCode, error, tables, List.of());
        }

        public SourceResult(String source, String snapshotId, String parentId, Instant time,
                            Snapshot.Summary summary, List<Snapshot.Warning> warnings, ErrorCode errorCode,
                            String error) {
            this(source, snapshotId, parentId, time, summary, warnings, errorCode, error, null);
        }
    }

    /**
     * One table of a database snapshot.
     *
     * @param table      {@code schema.name}
     * @param bytes      length of its COPY text stream
     * @param addedBytes bytes of its chunks that were new to the repository: what a daily backup
     *                   of a mostly unchanged table costs
     * @param unchanged  true when the table was taken from the previous snapshot without reading it
     *                   (the binary log showed no change); null when it was read
     */
    public record TableResult(String table, long rows, long bytes, long addedBytes,
                              @JsonInclude(JsonInclude.Include.NON_NULL) Boolean unchanged) {
        public TableResult(String table, long rows, long bytes, long addedBytes) {
            this(table, rows, bytes, addedBytes, null);
        }
    }
}
