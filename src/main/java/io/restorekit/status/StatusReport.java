package io.restorekit.status;

import io.restorekit.catalog.AlertRecord;

import java.time.Instant;
import java.util.List;

/** The dashboard: every source, every repository and copy, and the open alerts, at {@code at}. */
public record StatusReport(Instant at, List<SourceStatus> sources, List<RepositoryStatus> repositories,
                           List<AlertRecord> openAlerts) {
    public StatusReport {
        sources = List.copyOf(sources);
        repositories = List.copyOf(repositories);
        openAlerts = List.copyOf(openAlerts);
    }

    /**
     * @param state          {@code green} (backed up within stale-after, last run fine), {@code yellow} (the last
     *                       run failed or warned, but a good backup is still recent), {@code red} (stale or never)
     * @param ageSeconds     since the last successful backup ended; null when never
     * @param recentSizes    bytes read by the last successful backups, oldest first
     * @param sizeTrendPercent the newest against the average of the others; null with fewer than two
     * @param nextRun        the next scheduled backup; null when not scheduled
     * @param lastError      the error of the last run when it failed
     */
    public record SourceStatus(String source, String state, Instant lastSuccess, Long ageSeconds, String lastSnapshot,
                               long lastSize, long lastStored, Long lastDurationMs, List<Long> recentSizes,
                               Double sizeTrendPercent, Instant nextRun, DrillStatus lastDrill, String lastError) {
        public SourceStatus {
            recentSizes = List.copyOf(recentSizes);
        }
    }

    /** @param restoreMillis the measured restore time (the drill's duration) */
    public record DrillStatus(Instant at, String status, Long restoreMillis, String snapshot, String error) {
    }

    /**
     * @param lagSeconds       copies: how much older their newest snapshot is than the primary's; null for the primary
     * @param missingSnapshots copies: snapshots of the primary they lack; null for the primary
     * @param freeBytes        local repositories only; null otherwise
     */
    public record RepositoryStatus(String name, String location, boolean reachable, String error, int snapshots,
                                   Instant newest, Long lagSeconds, Integer missingSnapshots, Long freeBytes,
                                   Long totalBytes) {
    }
}
