package io.restorekit.catalog;

import java.time.Duration;
import java.time.Instant;

/**
 * One recorded operation: a backup of one source, a verify, a restore, a drill, a copy, a forget or
 * prune, a runbook run.
 *
 * @param id          assigned by the catalog; 0 before it is recorded
 * @param source      the source it concerns, or null (verify, prune, copy of everything)
 * @param snapshot    the snapshot written (backup) or read (restore, drill), or null
 * @param repository  {@code primary} or the copy's name; null when not tied to one
 * @param ended       null while running
 * @param error       the failure message, or null
 * @param bytesRead   bytes read from the source (backup) or the repository (restore, verify, drill)
 * @param bytesAdded  new bytes before compression and encryption (backup, copy)
 * @param bytesStored bytes written to storage (backup, copy) or reclaimed (prune)
 * @param files       files handled, or 0
 * @param rows        database rows handled, or 0
 * @param details     a kind-specific JSON document (a drill report, a restore plan summary), or null
 */
public record Run(long id, RunKind kind, String source, String snapshot, String repository,
                  Instant started, Instant ended, RunStatus status, String error,
                  long bytesRead, long bytesAdded, long bytesStored, long files, long rows,
                  String details, Actor actor) {

    /** A run that has just started, by the current {@link Actor}. */
    public static Run begin(RunKind kind, String source, String repository, Instant started) {
        return new Run(0, kind, source, null, repository, started, null, RunStatus.RUNNING, null,
                0, 0, 0, 0, 0, null, Actor.current());
    }

    public Duration duration() {
        return ended == null ? null : Duration.between(started, ended);
    }

    public Run withId(long newId) {
        return new Run(newId, kind, source, snapshot, repository, started, ended, status, error,
                bytesRead, bytesAdded, bytesStored, files, rows, details, actor);
    }

    /** This run, ended at {@code at} with {@code outcome} and {@code error} (null on success). */
    public Run ended(Instant at, RunStatus outcome, String failure) {
        return new Run(id, kind, source, snapshot, repository, started, at, outcome, failure,
                bytesRead, bytesAdded, bytesStored, files, rows, details, actor);
    }

    public Run withSnapshot(String snapshotId) {
        return new Run(id, kind, source, snapshotId, repository, started, ended, status, error,
                bytesRead, bytesAdded, bytesStored, files, rows, details, actor);
    }

    public Run withVolumes(long read, long added, long stored, long fileCount, long rowCount) {
        return new Run(id, kind, source, snapshot, repository, started, ended, status, error,
                read, added, stored, fileCount, rowCount, details, actor);
    }

    public Run withDetails(String json) {
        return new Run(id, kind, source, snapshot, repository, started, ended, status, error,
                bytesRead, bytesAdded, bytesStored, files, rows, json, actor);
    }
}
