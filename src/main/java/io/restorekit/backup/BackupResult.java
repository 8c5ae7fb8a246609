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
     */
    public record SourceResult(String source, String snapshotId, String parentId, Instant time,
                               Snapshot.Summary summary, List<Snapshot.Warning> warnings,
                               ErrorCode errorCode, String error,
                               @JsonInclude(JsonInclude.Include.NON_NULL) List<TableResult> tables) {
        public SourceResult {
            warnings = warnings == null ? List.of() : List.copyOf(warnings);
            tables = tables == null ? null : List.copyOf(tables);
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
     */
    public record TableResult(String table, long rows, long bytes, long addedBytes) {
    }
}
