package io.restorekit.retention;

import java.time.Instant;
import java.util.List;

/**
 * Whether Object Lock protects what the kept snapshots need for as long as the policy keeps them.
 *
 * @param supported  the storage holds objects under retention (S3 with object-lock configured)
 * @param objects    objects checked: kept snapshots' manifests and the packs holding their blobs
 * @param shortfalls objects not locked, or locked for less long than needed
 */
public record LockAuditReport(boolean supported, int snapshots, int objects, List<Shortfall> shortfalls,
                              long durationMs) {
    public LockAuditReport {
        shortfalls = List.copyOf(shortfalls);
    }

    /**
     * @param lockedUntil null when the object is not under retention
     * @param needed      the latest planned expiry of the snapshots that need it
     * @param snapshots   short ids of those snapshots (at most 10)
     */
    public record Shortfall(String object, Instant lockedUntil, Instant needed, List<String> snapshots) {
        public Shortfall {
            snapshots = List.copyOf(snapshots);
        }
    }

    public boolean ok() {
        return supported && shortfalls.isEmpty();
    }
}
