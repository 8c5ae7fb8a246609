package io.restorekit.retention;

import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunQuery;
import io.restorekit.catalog.RunStatus;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The snapshots that passed a drill, as the catalog records them (runs of kind DRILL that SUCCEEDED). */
final class Drills {
    private Drills() {
    }

    /** The ids among {@code snapshotIds} that passed a drill (a recorded id may be a unique prefix). */
    static Set<String> passed(Catalog catalog, Collection<String> snapshotIds) {
        List<String> recorded = catalog.runs(RunQuery.of(RunKind.DRILL)).stream()
                .filter(r -> r.status() == RunStatus.SUCCEEDED && r.snapshot() != null && r.snapshot().length() >= 6)
                .map(Run::snapshot).distinct().toList();
        Set<String> out = new HashSet<>();
        for (String id : snapshotIds) {
            for (String r : recorded) {
                if (id.startsWith(r)) {
                    out.add(id);
                }
            }
        }
        return out;
    }
}
