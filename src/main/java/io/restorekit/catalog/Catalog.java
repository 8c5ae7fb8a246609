package io.restorekit.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The operations record: every run and the audit trail. Implementations are safe for use from several
 * threads. The catalog is a convenience for operators: everything needed to recover lives in the
 * repository, so a lost catalog loses history, never data.
 */
public interface Catalog extends AutoCloseable {

    /** Records {@code run} (its id is ignored) and returns it with the id assigned. */
    Run record(Run run);

    /** Replaces the stored run with the same id (a run that ended, or gained volumes and details). */
    void update(Run run);

    Optional<Run> run(long id);

    /** Matching runs, newest first. */
    List<Run> runs(RunQuery query);

    /** Records {@code entry} (its id is ignored) and returns it with the id assigned. */
    AuditEntry audit(AuditEntry entry);

    /** Audit entries at or after {@code since} (null: all), newest first, at most {@code limit} (0: all). */
    List<AuditEntry> audits(Instant since, int limit);

    /**
     * Records a new alert (id 0) and returns it with its id, or replaces the stored one with the same
     * id (seen again, cleared).
     */
    default AlertRecord saveAlert(AlertRecord alert) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not keep alerts");
    }

    /** The open alert with {@code key}, if any. */
    default Optional<AlertRecord> openAlert(String key) {
        return alerts(null, true).stream().filter(a -> a.key().equals(key)).findFirst();
    }

    /** Alerts open at some moment at or after {@code since} (null: all), newest first; {@code openOnly}: only open ones. */
    default List<AlertRecord> alerts(Instant since, boolean openOnly) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not keep alerts");
    }

    /**
     * Creates or migrates the catalog's database now, where it would otherwise be done by the first
     * command that records a run (a catalog opened on first use); the default has nothing to do.
     */
    default void prepare() {
    }

    /** Where the catalog lives, for messages: a JDBC URL without credentials, or a description. */
    default String location() {
        return getClass().getSimpleName();
    }

    /**
     * Keeps the catalog's database open for the calls made until the returned handle is closed, so
     * that a run's end, its alerts and its audit entries pay for opening it once. Each call still
     * commits on its own. Holds nest; the default holds nothing.
     */
    default Held hold() {
        return () -> { };
    }

    /** An open hold on the catalog's database; closing it lets the database close. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    @Override
    default void close() {
    }
}
