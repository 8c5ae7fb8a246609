package io.restorekit.daemon;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.ProgressListener;
import io.restorekit.drill.DrillReport;
import io.restorekit.repository.Snapshot;
import io.restorekit.source.SourceSpec;
import io.restorekit.verify.VerifyReport;
import io.restorekit.verify.VerifyRequest;
import io.restorekit.verify.VerifyService;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Backups and verifications recorded in the catalog as they run: one {@link RunKind#BACKUP} run
 * per source, one {@link RunKind#VERIFY} run per verification. Drills record themselves
 * ({@code DrillService}).
 */
public final class RecordedRuns {
    private final Catalog catalog;
    private final Clock clock;

    public RecordedRuns(Catalog catalog, Clock clock) {
        this.catalog = catalog;
        this.clock = clock;
    }

    public BackupResult backup(BackupService service, BackupRequest request, ProgressListener progress) {
        Instant started = clock.instant();
        List<Run> runs = new ArrayList<>();
        for (SourceSpec s : request.sources()) {
            runs.add(catalog.record(Run.begin(RunKind.BACKUP, s.name(), "primary", started)));
        }
        BackupResult result;
        try {
            result = service.backup(request, progress);
        } catch (RuntimeException e) {
            runs.forEach(r -> catalog.update(r.ended(clock.instant(), RunStatus.FAILED, e.getMessage())));
            throw e;
        }
        Instant ended = clock.instant();
        for (Run r : runs) {
            BackupResult.SourceResult s = result.sources().stream().filter(x -> x.source().equals(r.source()))
                    .findFirst().orElse(null);
            if (s == null || s.error() != null) {
                catalog.update(r.ended(ended, RunStatus.FAILED, s == null ? "not backed up" : s.error()));
                continue;
            }
            Snapshot.Summary sum = s.summary();
            long rows = s.tables() == null ? 0 : s.tables().stream().mapToLong(BackupResult.TableResult::rows).sum();
            catalog.update(r.ended(ended, s.warnings().isEmpty() ? RunStatus.SUCCEEDED : RunStatus.WARNING, null)
                    .withSnapshot(s.snapshotId())
                    .withVolumes(sum == null ? 0 : sum.bytes(), sum == null ? 0 : sum.addedBytes(),
                            sum == null ? 0 : sum.storedBytes(), sum == null ? 0 : sum.files(), rows));
        }
        return result;
    }

    public VerifyReport verify(VerifyService service, VerifyRequest request, ProgressListener progress) {
        Run run = catalog.record(Run.begin(RunKind.VERIFY, null, "primary", clock.instant()));
        VerifyReport report;
        try {
            report = service.verify(request, progress);
        } catch (RuntimeException e) {
            catalog.update(run.ended(clock.instant(), RunStatus.FAILED, e.getMessage()));
            throw e;
        }
        String problem = report.problems().stream().findFirst().map(p -> p.object() + ": " + p.message()).orElse(null);
        catalog.update(run.ended(clock.instant(), report.ok() ? (report.warnings() > 0 ? RunStatus.WARNING
                        : RunStatus.SUCCEEDED) : RunStatus.FAILED, report.ok() ? null : problem)
                .withVolumes(report.bytesRead(), 0, 0, report.files(), 0)
                .withDetails("{\"errors\":" + report.errors() + ",\"warnings\":" + report.warnings()
                        + ",\"readData\":" + report.readData() + "}"));
        return report;
    }

    /** The built-in jobs' outcome lines. */
    public static JobOutcome outcome(BackupResult r) {
        return new JobOutcome(r.succeeded() ? RunStatus.SUCCEEDED : RunStatus.FAILED, r.sources().stream()
                .map(s -> s.source() + (s.error() == null ? " " + s.snapshotId().substring(0, 8) : " FAILED: " + s.error()))
                .reduce((a, b) -> a + "; " + b).orElse("nothing backed up"));
    }

    public static JobOutcome outcome(VerifyReport r) {
        return new JobOutcome(r.ok() ? RunStatus.SUCCEEDED : RunStatus.FAILED, r.ok() ? "no problems"
                : r.errors() + " errors, " + r.warnings() + " warnings");
    }

    public static JobOutcome outcome(DrillReport r) {
        return new JobOutcome(r.status(), "drill #" + r.id() + " " + (r.status() == RunStatus.SUCCEEDED ? "passed"
                : r.status().name().toLowerCase()) + ", restore " + DrillReport.human(r.restoreMs())
                + (r.failures().isEmpty() ? "" : ", first problem: " + r.failures().get(0).name()));
    }
}
