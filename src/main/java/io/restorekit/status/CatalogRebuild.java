package io.restorekit.status;

import io.restorekit.catalog.Actor;
import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunQuery;
import io.restorekit.catalog.RunStatus;
import io.restorekit.repository.Snapshot;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Restores what the repository knows into a lost or new catalog: one successful BACKUP run per
 * snapshot (time, duration, sizes and files from its manifest, host and user as recorded), skipping
 * snapshots the catalog already has. Verify, drill and restore history is not in the repository and
 * stays lost.
 */
public final class CatalogRebuild {
    private final Catalog catalog;

    public CatalogRebuild(Catalog catalog) {
        this.catalog = catalog;
    }

    /** @param added runs recorded now; @param known snapshots the catalog already had */
    public record Result(int added, int known, String catalog) {
    }

    public Result rebuild(List<Snapshot> snapshots) {
        Set<String> known = new HashSet<>();
        for (Run run : catalog.runs(RunQuery.of(RunKind.BACKUP))) {
            if (run.snapshot() != null) {
                known.add(run.snapshot());
            }
        }
        int added = 0;
        for (Snapshot s : snapshots.stream().sorted(java.util.Comparator.comparing(Snapshot::time)).toList()) {
            if (known.contains(s.id())) {
                continue;
            }
            Snapshot.Summary sum = s.summary();
            long millis = sum == null ? 0 : sum.durationMs();
            Run run = new Run(0, RunKind.BACKUP, s.source(), s.id(), "primary", s.time(), s.time().plusMillis(millis),
                    s.warnings().isEmpty() ? RunStatus.SUCCEEDED : RunStatus.WARNING, null,
                    sum == null ? 0 : sum.bytes(), sum == null ? 0 : sum.addedBytes(),
                    sum == null ? 0 : sum.storedBytes(), sum == null ? 0 : sum.files(), 0,
                    "{\"rebuilt\":true" + (s.run() == null ? "" : ",\"run\":\"" + s.run() + "\"") + "}",
                    new Actor(s.user(), s.host(), null, null));
            catalog.record(run);
            added++;
        }
        return new Result(added, snapshots.size() - added, catalog.location());
    }
}
