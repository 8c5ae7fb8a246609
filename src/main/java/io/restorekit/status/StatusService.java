package io.restorekit.status;

import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunQuery;
import io.restorekit.catalog.RunStatus;
import io.restorekit.notify.AlertOutcome;
import io.restorekit.notify.AlertService;
import io.restorekit.notify.Evaluation;
import io.restorekit.repository.Snapshot;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dashboard, read from the catalog and the repositories, and the periodic alert rules (stale
 * sources, free disk, copy lag) that need no backup to run. {@link #check()} is what a scheduler
 * (the daemon, or cron running {@code rk status}) calls.
 */
public final class StatusService {
    private final Catalog catalog;
    private final AlertService alerts;
    private final StatusSettings settings;
    private final List<RepositoryProbe> repositories;
    private final Clock clock;

    /** @param alerts null: {@link #check()} evaluates nothing; @param repositories the primary first, then the copies */
    public StatusService(Catalog catalog, AlertService alerts, StatusSettings settings,
                         List<RepositoryProbe> repositories, Clock clock) {
        this.catalog = catalog;
        this.alerts = alerts;
        this.settings = settings;
        this.repositories = List.copyOf(repositories);
        this.clock = clock;
    }

    /** The dashboard as it is; sends nothing. */
    public StatusReport status() {
        Instant now = clock.instant();
        List<StatusReport.SourceStatus> sources = settings.sources().stream().map(s -> source(s, now)).toList();
        return new StatusReport(now, sources, repositories(), catalog.alerts(null, true));
    }

    /**
     * The dashboard after applying the periodic rules: stale sources, short disks, lagging copies
     * open alerts (sending notices once), conditions that cleared send recovery notices.
     */
    public Checked check() {
        StatusReport report = status();
        if (alerts == null) {
            return new Checked(report, AlertOutcome.NONE);
        }
        Evaluation evaluation = Evaluation.NONE;
        for (StatusReport.SourceStatus s : report.sources()) {
            evaluation = evaluation.plus(alerts.rules().stale(s.source(), s.lastSuccess(), report.at()));
        }
        for (StatusReport.RepositoryStatus r : report.repositories()) {
            if (r.freeBytes() != null) {
                evaluation = evaluation.plus(alerts.rules().disk(r.name(), r.location(), r.freeBytes(), r.totalBytes()));
            }
            if (r.lagSeconds() != null) {
                evaluation = evaluation.plus(alerts.rules().copyLag(r.name(), Duration.ofSeconds(r.lagSeconds()),
                        r.missingSnapshots() == null ? 0 : r.missingSnapshots()));
            }
        }
        for (Map.Entry<String, Path> e : settings.sourcePaths().entrySet()) {
            long[] space = space(e.getValue());
            if (space != null) {
                evaluation = evaluation.plus(alerts.rules().disk("source " + e.getKey(), e.getValue().toString(),
                        space[0], space[1]));
            }
        }
        AlertOutcome outcome = alerts.apply(evaluation);
        return new Checked(new StatusReport(report.at(), report.sources(), report.repositories(),
                catalog.alerts(null, true)), outcome);
    }

    /** A {@link #check()}: the dashboard and what the rules changed. */
    public record Checked(StatusReport report, AlertOutcome alerts) {
    }

    private StatusReport.SourceStatus source(String name, Instant now) {
        List<Run> runs = catalog.runs(new RunQuery(RunKind.BACKUP, name, null, 50));
        List<Run> ended = runs.stream().filter(r -> r.status() != RunStatus.RUNNING).toList();
        List<Run> good = ended.stream().filter(r -> r.status() == RunStatus.SUCCEEDED
                || r.status() == RunStatus.WARNING).toList();
        Run last = ended.isEmpty() ? null : ended.get(0);
        Run lastGood = good.isEmpty() ? null : good.get(0);
        Duration staleAfter = settings.staleAfter() == null ? StatusSettings.DEFAULT_STALE : settings.staleAfter();
        Instant lastSuccess = lastGood == null ? null : lastGood.ended();
        Long age = lastSuccess == null ? null : Duration.between(lastSuccess, now).getSeconds();
        String state = lastSuccess == null || age > staleAfter.getSeconds() ? "red"
                : last.status() == RunStatus.SUCCEEDED ? "green" : "yellow";
        List<Long> sizes = new ArrayList<>(good.stream().limit(7).map(Run::bytesRead).toList());
        java.util.Collections.reverse(sizes);
        Double trend = null;
        if (sizes.size() >= 2) {
            double average = sizes.subList(0, sizes.size() - 1).stream().mapToLong(Long::longValue).average().orElse(0);
            trend = average <= 0 ? null : Math.round((sizes.get(sizes.size() - 1) - average) * 1000.0 / average) / 10.0;
        }
        Instant next = settings.nextBackup() == null ? null : settings.nextBackup().after(now);
        List<Run> drills = catalog.runs(new RunQuery(RunKind.DRILL, name, null, 1));
        StatusReport.DrillStatus drill = drills.isEmpty() ? null : new StatusReport.DrillStatus(drills.get(0).started(),
                drills.get(0).status().name(), drills.get(0).duration() == null ? null
                : drills.get(0).duration().toMillis(), drills.get(0).snapshot(), drills.get(0).error());
        return new StatusReport.SourceStatus(name, state, lastSuccess, age,
                lastGood == null ? null : lastGood.snapshot(), lastGood == null ? 0 : lastGood.bytesRead(),
                lastGood == null ? 0 : lastGood.bytesStored(),
                lastGood == null || lastGood.duration() == null ? null : lastGood.duration().toMillis(),
                sizes, trend, next, drill, last != null && last.status() == RunStatus.FAILED ? last.error() : null);
    }

    private List<StatusReport.RepositoryStatus> repositories() {
        List<StatusReport.RepositoryStatus> out = new ArrayList<>();
        Set<String> primaryIds = null;
        Instant primaryNewest = null;
        for (RepositoryProbe probe : repositories) {
            long[] space = probe.localPath() == null ? null : space(probe.localPath());
            Long free = space == null ? null : space[0];
            Long total = space == null ? null : space[1];
            List<Snapshot> snapshots;
            try {
                snapshots = probe.snapshots().list();
            } catch (Exception e) {
                out.add(new StatusReport.RepositoryStatus(probe.name(), probe.location(), false,
                        e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), 0, null, null, null,
                        free, total));
                if (primaryIds == null) {
                    primaryIds = Set.of();
                }
                continue;
            }
            Instant newest = snapshots.stream().map(Snapshot::time).max(Comparator.naturalOrder()).orElse(null);
            Set<String> ids = new HashSet<>(snapshots.stream().map(Snapshot::id).toList());
            if (primaryIds == null) {
                primaryIds = ids;
                primaryNewest = newest;
                out.add(new StatusReport.RepositoryStatus(probe.name(), probe.location(), true, null, snapshots.size(),
                        newest, null, null, free, total));
                continue;
            }
            int missing = (int) primaryIds.stream().filter(id -> !ids.contains(id)).count();
            Long lag = primaryNewest == null ? null : newest == null
                    ? Duration.between(primaryNewest, clock.instant()).getSeconds()
                    : Math.max(0, Duration.between(newest, primaryNewest).getSeconds());
            out.add(new StatusReport.RepositoryStatus(probe.name(), probe.location(), true, null, snapshots.size(),
                    newest, lag, missing, free, total));
        }
        return out;
    }

    /** Usable and total bytes of the disk holding {@code path} (or its nearest existing parent); null when unknown. */
    static long[] space(Path path) {
        Path p = path.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            return null;
        }
        try {
            FileStore store = Files.getFileStore(p);
            return new long[]{store.getUsableSpace(), store.getTotalSpace()};
        } catch (IOException e) {
            return null;
        }
    }

    /** Prometheus text exposition of a report (for the daemon's endpoint and {@code status --prometheus}). */
    public static String prometheus(StatusReport report) {
        return PrometheusText.render(report);
    }

}
