package io.restorekit.catalog;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** A catalog that lives as long as the process: for tests, and for commands that need no history. */
public final class InMemoryCatalog implements Catalog {
    private final AtomicLong ids = new AtomicLong();
    private final List<Run> runs = new ArrayList<>();
    private final List<AuditEntry> audits = new ArrayList<>();
    private final List<AlertRecord> alerts = new ArrayList<>();

    @Override
    public synchronized Run record(Run run) {
        Run stored = run.withId(ids.incrementAndGet());
        runs.add(stored);
        return stored;
    }

    @Override
    public synchronized void update(Run run) {
        for (int i = 0; i < runs.size(); i++) {
            if (runs.get(i).id() == run.id()) {
                runs.set(i, run);
                return;
            }
        }
        throw new IllegalArgumentException("no run " + run.id() + " in the catalog");
    }

    @Override
    public synchronized Optional<Run> run(long id) {
        return runs.stream().filter(r -> r.id() == id).findFirst();
    }

    @Override
    public synchronized List<Run> runs(RunQuery query) {
        Stream<Run> matching = runs.stream()
                .filter(r -> query.kind() == null || r.kind() == query.kind())
                .filter(r -> query.source() == null || query.source().equals(r.source()))
                .filter(r -> query.since() == null || !r.started().isBefore(query.since()))
                .sorted(Comparator.comparing(Run::started).thenComparingLong(Run::id).reversed());
        return (query.limit() > 0 ? matching.limit(query.limit()) : matching).toList();
    }

    @Override
    public synchronized AuditEntry audit(AuditEntry entry) {
        AuditEntry stored = entry.withId(ids.incrementAndGet());
        audits.add(stored);
        return stored;
    }

    @Override
    public synchronized List<AuditEntry> audits(Instant since, int limit) {
        Stream<AuditEntry> matching = audits.stream()
                .filter(a -> since == null || !a.at().isBefore(since))
                .sorted(Comparator.comparing(AuditEntry::at).thenComparingLong(AuditEntry::id).reversed());
        return (limit > 0 ? matching.limit(limit) : matching).toList();
    }

    @Override
    public synchronized AlertRecord saveAlert(AlertRecord alert) {
        if (alert.id() == 0) {
            AlertRecord stored = alert.withId(ids.incrementAndGet());
            alerts.add(stored);
            return stored;
        }
        for (int i = 0; i < alerts.size(); i++) {
            if (alerts.get(i).id() == alert.id()) {
                alerts.set(i, alert);
                return alert;
            }
        }
        throw new IllegalArgumentException("no alert " + alert.id() + " in the catalog");
    }

    @Override
    public synchronized List<AlertRecord> alerts(Instant since, boolean openOnly) {
        return alerts.stream()
                .filter(a -> !openOnly || a.isOpen())
                .filter(a -> since == null || !a.opened().isBefore(since)
                        || (a.cleared() != null && !a.cleared().isBefore(since)) || a.isOpen())
                .sorted(Comparator.comparing(AlertRecord::opened).thenComparingLong(AlertRecord::id).reversed())
                .toList();
    }
}
