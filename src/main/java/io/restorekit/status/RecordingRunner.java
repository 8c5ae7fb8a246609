package io.restorekit.status;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.Futures;
import io.restorekit.common.ProgressListener;
import io.restorekit.copy.CopyRequest;
import io.restorekit.copy.CopyResult;
import io.restorekit.copy.CopyService;
import io.restorekit.notify.AlertOutcome;
import io.restorekit.notify.AlertService;
import io.restorekit.repository.Snapshot;
import io.restorekit.verify.VerifyReport;
import io.restorekit.verify.VerifyRequest;
import io.restorekit.verify.VerifyService;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Runs backup, verify and copy through their services and records each in the catalog (one BACKUP
 * run per source, one VERIFY run, one COPY run per destination), then evaluates the alert rules.
 * The commands and the daemon both go through here. Recording and alerting never fail the
 * operation: their problems come back as {@link Recorded#warnings()}.
 *
 * <p>The runs' first records are written on another thread while the work starts: with an embedded
 * catalog that write opens the database file, tens of milliseconds a short command would otherwise
 * wait for. The work's end waits for them before it records how the runs ended.
 */
public final class RecordingRunner {
    private static final System.Logger LOG = System.getLogger(RecordingRunner.class.getName());
    private final Catalog catalog;
    private final AlertService alerts;
    private final Clock clock;

    /** @param alerts null when no alerting is wanted (runs are still recorded) */
    public RecordingRunner(Catalog catalog, AlertService alerts, Clock clock) {
        this.catalog = catalog;
        this.alerts = alerts;
        this.clock = clock;
    }

    public Recorded<BackupResult> backup(BackupService service, BackupRequest request, ProgressListener progress) {
        List<String> warnings = new ArrayList<>();
        Instant start = clock.instant();
        CompletableFuture<List<Run>> beginning = begin(request.sources().stream()
                .map(spec -> Run.begin(RunKind.BACKUP, spec.name(), "primary", start)).toList(), warnings);
        BackupResult result;
        try {
            result = service.backup(request, progress);
        } catch (RuntimeException e) {
            finish(begun(beginning).stream().map(r -> r.ended(clock.instant(), RunStatus.FAILED, message(e))).toList(),
                    warnings);
            throw e;
        }
        List<Run> begun = begun(beginning);
        List<Run> ended = new ArrayList<>();
        for (int i = 0; i < begun.size(); i++) {
            Run run = begun.get(i);
            BackupResult.SourceResult s = result.sources().stream().filter(r -> r.source().equals(run.source()))
                    .findFirst().orElse(null);
            ended.add(ended(run, s, result.run()));
        }
        return new Recorded<>(result, ended, finish(ended, warnings), warnings);
    }

    private Run ended(Run run, BackupResult.SourceResult s, String runId) {
        Instant now = clock.instant();
        if (s == null) {
            return run.ended(now, RunStatus.FAILED, "the backup returned no result for this source");
        }
        if (s.error() != null) {
            return run.ended(now, RunStatus.FAILED, s.error());
        }
        Snapshot.Summary sum = s.summary();
        long rows = s.tables() == null ? 0 : s.tables().stream().mapToLong(BackupResult.TableResult::rows).sum();
        Instant end = sum == null ? now : run.started().plusMillis(sum.durationMs());
        return run.withSnapshot(s.snapshotId())
                .ended(end, s.warnings().isEmpty() ? RunStatus.SUCCEEDED : RunStatus.WARNING,
                        s.warnings().isEmpty() ? null : s.warnings().size() + " warning(s), first: "
                                + s.warnings().get(0).path() + ": " + s.warnings().get(0).message())
                .withVolumes(sum == null ? 0 : sum.bytes(), sum == null ? 0 : sum.addedBytes(),
                        sum == null ? 0 : sum.storedBytes(), sum == null ? 0 : sum.files(), rows)
                .withDetails("{\"run\":\"" + runId + "\",\"warnings\":" + s.warnings().size()
                        + (s.tables() == null ? "" : ",\"tables\":" + s.tables().size()) + "}");
    }

    public Recorded<VerifyReport> verify(VerifyService service, VerifyRequest request, ProgressListener progress) {
        return verify(service, request, "primary", progress);
    }

    /** The same, of {@code repository}: {@code primary} or a copy's name. */
    public Recorded<VerifyReport> verify(VerifyService service, VerifyRequest request, String repository,
                                         ProgressListener progress) {
        List<String> warnings = new ArrayList<>();
        CompletableFuture<List<Run>> beginning = begin(
                List.of(Run.begin(RunKind.VERIFY, null, repository, clock.instant())), warnings);
        VerifyReport report;
        try {
            report = service.verify(request, progress);
        } catch (RuntimeException e) {
            finish(List.of(begun(beginning).get(0).ended(clock.instant(), RunStatus.FAILED, message(e))),
                    warnings);
            throw e;
        }
        Run run = begun(beginning).get(0);
        RunStatus status = report.errors() > 0 ? RunStatus.FAILED : report.warnings() > 0 ? RunStatus.WARNING
                : RunStatus.SUCCEEDED;
        String error = report.problems().isEmpty() ? null : report.errors() + " error(s), " + report.warnings()
                + " warning(s); first: " + report.problems().get(0).object() + ": " + report.problems().get(0).message();
        Run ended = run.ended(clock.instant(), status, error)
                .withVolumes(report.bytesRead(), 0, 0, report.files(), 0)
                .withDetails("{\"readData\":" + report.readData() + ",\"snapshots\":" + report.snapshots()
                        + ",\"packs\":" + report.packs() + ",\"blobs\":" + report.blobs() + "}");
        return new Recorded<>(report, List.of(ended), finish(List.of(ended), warnings), warnings);
    }

    public Recorded<CopyResult> copy(CopyService service, CopyRequest request, ProgressListener progress)
            throws IOException {
        List<String> warnings = new ArrayList<>();
        Instant start = clock.instant();
        CompletableFuture<List<Run>> beginning = begin(request.destinations().stream()
                .map(d -> Run.begin(RunKind.COPY, null, d.name(), start)).toList(), warnings);
        CopyResult result;
        try {
            result = service.copy(request, progress);
        } catch (IOException | RuntimeException e) {
            finish(begun(beginning).stream().map(r -> r.ended(clock.instant(), RunStatus.FAILED, message(e))).toList(),
                    warnings);
            throw e;
        }
        List<Run> ended = new ArrayList<>();
        for (Run run : begun(beginning)) {
            CopyResult.DestinationResult d = result.destinations().stream()
                    .filter(r -> r.name().equals(run.repository())).findFirst().orElse(null);
            if (d == null) {
                ended.add(run.ended(clock.instant(), RunStatus.FAILED, "no result for this copy"));
                continue;
            }
            String error = d.error() != null ? d.error() : d.problems().isEmpty() ? null
                    : String.join("; ", d.problems());
            ended.add(run.ended(run.started().plusMillis(d.durationMs()), d.succeeded() ? RunStatus.SUCCEEDED
                            : RunStatus.FAILED, error)
                    .withVolumes(0, d.copiedBytes(), d.copiedBytes(), d.copiedObjects(), 0)
                    .withDetails("{\"snapshots\":" + d.snapshots() + ",\"present\":" + d.presentObjects() + "}"));
        }
        return new Recorded<>(result, ended, finish(ended, warnings), warnings);
    }

    /**
     * Records {@code runs} on a thread of its own; the future gives them with their catalog ids (as
     * given where the catalog failed, its message then in {@code warnings}).
     */
    private CompletableFuture<List<Run>> begin(List<Run> runs, List<String> warnings) {
        return Futures.onOwnThread("rk-run-begin", () -> {
            List<Run> out = new ArrayList<>();
            for (Run run : runs) {
                out.add(record(run, warnings));
            }
            return out;
        });
    }

    /** The runs {@link #begin} recorded, once it is done. */
    private static List<Run> begun(CompletableFuture<List<Run>> beginning) {
        return beginning.join();
    }

    private Run record(Run run, List<String> warnings) {
        try {
            return catalog.record(run);
        } catch (RuntimeException e) {
            warn(warnings, "cannot record the " + run.kind() + " run in the catalog: " + e.getMessage());
            return run;
        }
    }

    private AlertOutcome finish(List<Run> runs, List<String> warnings) {
        try (Catalog.Held held = holdCatalog()) {
            return finishHeld(runs, warnings);
        }
    }

    private Catalog.Held holdCatalog() {
        try {
            return catalog.hold();
        } catch (RuntimeException e) {
            // each call below reports its own failure
            return () -> { };
        }
    }

    private AlertOutcome finishHeld(List<Run> runs, List<String> warnings) {
        List<AlertOutcome> outcomes = new ArrayList<>();
        for (Run run : runs) {
            if (run.id() != 0) {
                try {
                    catalog.update(run);
                } catch (RuntimeException e) {
                    warn(warnings, "cannot record the end of the " + run.kind() + " run in the catalog: "
                            + e.getMessage());
                }
            }
            if (alerts != null) {
                AlertOutcome outcome = alerts.afterRun(run);
                outcome.deliveryErrors().forEach(d -> warnings.add("alert not delivered: " + d));
                outcomes.add(outcome);
            }
        }
        return new AlertOutcome(
                outcomes.stream().flatMap(o -> o.raised().stream()).toList(),
                outcomes.stream().flatMap(o -> o.resolved().stream()).toList(),
                outcomes.stream().flatMap(o -> o.ongoing().stream()).toList(),
                outcomes.stream().flatMap(o -> o.deliveryErrors().stream()).collect(Collectors.toList()));
    }

    private static void warn(List<String> warnings, String message) {
        LOG.log(System.Logger.Level.WARNING, message);
        warnings.add(message);
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
