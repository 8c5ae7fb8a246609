package io.restorekit.catalog;

import java.time.Instant;

/**
 * One alert as the catalog keeps it: open from {@code opened} until {@code cleared}. While it stays
 * open the same condition is not announced again; when it clears a recovery notice is sent.
 *
 * @param id       assigned by the catalog; 0 before it is recorded
 * @param key      what the alert is about, stable while the condition lasts, e.g. {@code stale:db}
 * @param kind     the rule that raised it, e.g. {@code BACKUP_FAILED}, {@code STALE}
 * @param subject  the source, repository or copy it concerns
 * @param severity {@code warning} or {@code critical}
 * @param lastSeen when the condition was last found to hold
 * @param cleared  null while open
 */
public record AlertRecord(long id, String key, String kind, String subject, String severity, String message,
                          Instant opened, Instant lastSeen, Instant cleared) {

    public boolean isOpen() {
        return cleared == null;
    }

    public AlertRecord withId(long newId) {
        return new AlertRecord(newId, key, kind, subject, severity, message, opened, lastSeen, cleared);
    }

    public AlertRecord seen(Instant at, String newMessage) {
        return new AlertRecord(id, key, kind, subject, severity, newMessage, opened, at, cleared);
    }

    public AlertRecord clearedAt(Instant at) {
        return new AlertRecord(id, key, kind, subject, severity, message, opened, lastSeen, at);
    }
}
