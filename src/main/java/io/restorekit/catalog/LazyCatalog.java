package io.restorekit.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A catalog opened on first use, so that commands that never touch it do not pay for opening (and
 * perhaps migrating) the database. Audit entries recorded before it is open go to an
 * {@link AuditSpool}; opening moves them in, and so does asking for audit entries. A one-command run
 * spools its entry even when the catalog is open ({@link #deferAudits()}): that saves it opening the
 * database once more after its work is done.
 */
public final class LazyCatalog implements Catalog {
    private final Supplier<Catalog> opener;
    private final AuditSpool spool;
    private volatile Catalog delegate;
    private volatile boolean deferAudits;

    public LazyCatalog(Supplier<Catalog> opener, AuditSpool spool) {
        this.opener = opener;
        this.spool = spool;
    }

    /**
     * Audit entries go to the spool even while the catalog is open, for the next process that opens
     * it (or asks for audit entries) to move in: what a one-command run does.
     */
    public void deferAudits() {
        deferAudits = true;
    }

    public boolean isOpen() {
        return delegate != null;
    }

    /** The open catalog: opened now when it was not yet. */
    public Catalog open() {
        Catalog d = delegate;
        if (d == null) {
            synchronized (this) {
                d = delegate;
                if (d == null) {
                    d = opener.get();
                    spool.drainInto(d);
                    delegate = d;
                }
            }
        }
        return d;
    }

    @Override
    public void prepare() {
        open();
    }

    @Override
    public Run record(Run run) {
        return open().record(run);
    }

    @Override
    public void update(Run run) {
        open().update(run);
    }

    @Override
    public Optional<Run> run(long id) {
        return open().run(id);
    }

    @Override
    public List<Run> runs(RunQuery query) {
        return open().runs(query);
    }

    /**
     * Records the entry in the catalog when it is open and audits are not deferred; otherwise spools
     * it (and returns it with id 0).
     */
    @Override
    public AuditEntry audit(AuditEntry entry) {
        if (isOpen() && !deferAudits) {
            return delegate.audit(entry);
        }
        spool.append(entry);
        return entry;
    }

    @Override
    public List<AuditEntry> audits(Instant since, int limit) {
        Catalog d = open();
        // entries other processes spooled since this one opened the catalog
        spool.drainInto(d);
        return d.audits(since, limit);
    }

    @Override
    public AlertRecord saveAlert(AlertRecord alert) {
        return open().saveAlert(alert);
    }

    @Override
    public Optional<AlertRecord> openAlert(String key) {
        return open().openAlert(key);
    }

    @Override
    public List<AlertRecord> alerts(Instant since, boolean openOnly) {
        return open().alerts(since, openOnly);
    }

    @Override
    public String location() {
        return isOpen() ? delegate.location() : "not opened yet";
    }

    @Override
    public Held hold() {
        return open().hold();
    }

    @Override
    public void close() {
        if (delegate != null) {
            delegate.close();
        }
    }
}
