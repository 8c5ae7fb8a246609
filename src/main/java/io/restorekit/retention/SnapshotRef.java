package io.restorekit.retention;

import io.restorekit.repository.Snapshot;

import java.time.Instant;
import java.util.List;

/** What the planner needs to know of a snapshot. */
public record SnapshotRef(String id, String source, Instant time, List<String> tags) {
    public SnapshotRef {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    public static SnapshotRef of(Snapshot s) {
        return new SnapshotRef(s.id(), s.source(), s.time(), s.tags());
    }

    public String shortId() {
        return id.length() > 8 ? id.substring(0, 8) : id;
    }
}
