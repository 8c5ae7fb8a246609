package io.restorekit.catalog;

import java.time.Instant;

/**
 * Who did what, when, and how it ended.
 *
 * @param id        assigned by the catalog; 0 before it is recorded
 * @param command   the command line as typed, with secrets redacted
 * @param outcome   {@code ok}, or the error code name ({@code FAILED}, {@code NOT_PERMITTED}, ...)
 * @param exitCode  the exit code the command ended with
 * @param message   the error message, or null
 */
public record AuditEntry(long id, Instant at, Actor actor, String command, String outcome, int exitCode,
                         String message) {

    public AuditEntry withId(long newId) {
        return new AuditEntry(newId, at, actor, command, outcome, exitCode, message);
    }
}
