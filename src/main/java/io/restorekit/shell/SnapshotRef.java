package io.restorekit.shell;

import io.restorekit.repository.Snapshot;

import java.time.Instant;

/** A snapshot as results name it: full id, source and time. */
record SnapshotRef(String id, String source, Instant time) {
    static SnapshotRef of(Snapshot s) {
        return new SnapshotRef(s.id(), s.source(), s.time());
    }

    /** {@code 1a2b3c4d (uploads, 2026-11-21 15:00:12)}. */
    String describe() {
        return (id == null ? "?" : id.substring(0, Math.min(8, id.length()))) + " (" + source + ", "
                + Times.local(time) + ")";
    }
}
