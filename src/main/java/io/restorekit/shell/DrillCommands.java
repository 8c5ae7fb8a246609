package io.restorekit.shell;

import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.Run;
import io.restorekit.common.BadInputException;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.RkConfig;
import io.restorekit.drill.DrillReport;
import io.restorekit.drill.DrillRequest;
import io.restorekit.drill.DrillService;
import io.restorekit.source.SourceSpec;
import io.restorekit.daemon.AlertHook;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;
import org.springframework.shell.command.annotation.OptionValues;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/** {@code drill run | history | report}: restore drills and their evidence. */
@Command(command = "drill", group = "Drills")
public class DrillCommands {
    private final RepositorySession session;
    private final Interaction interaction;
    private final Catalog catalog;
    private final AlertHook alerts;
    private final ObjectProvider<io.restorekit.runbook.RunbookService> runbooks;

    @Autowired
    public DrillCommands(RepositorySession session, Interaction interaction, Catalog catalog,
                         ObjectProvider<AlertHook> alerts, ObjectProvider<io.restorekit.runbook.RunbookService> runbooks) {
        this(session, interaction, catalog, alerts.getIfAvailable(() -> AlertHook.NONE), runbooks);
    }

    DrillCommands(RepositorySession session, Interaction interaction, Catalog catalog, AlertHook alerts) {
        this(session, interaction, catalog, alerts, null);
    }

    DrillCommands(RepositorySession session, Interaction interaction, Catalog catalog, AlertHook alerts,
                  ObjectProvider<io.restorekit.runbook.RunbookService> runbooks) {
        this.runbooks = runbooks;
        this.session = session;
        this.interaction = interaction;
        this.catalog = catalog;
        this.alerts = alerts;
    }

    @Command(command = "run", description = "Restore the latest snapshots into a temporary database and folder,"
            + " check them, time them, report and clean up (exit 3 when a check fails)")
    public String run(
            @Option(longNames = "source", description = "only this source") @OptionValues(provider = "sourceNames")
            String source,
            @Option(longNames = "snapshot", description = "this snapshot (id or unique prefix) instead of the latest")
            @OptionValues(provider = "snapshotIds") String snapshot,
            @Option(longNames = "at", description = "the newest snapshots at or before this moment (2026-11-21,"
                    + " 2026-11-21T15:00)") String at,
            @Option(longNames = "target", description = "embedded, or a JDBC URL of a server where a temporary"
                    + " database may be created (default: drill.target)") String target,
            @Option(longNames = "keep", description = "leave the database and folder for inspection") boolean keep,
            @Option(longNames = "json", description = "print one JSON document") boolean json) throws IOException {
        if (snapshot != null && at != null) {
            throw new BadInputException("give --snapshot or --at, not both");
        }
        RkConfig config = session.config();
        Instant when = at == null ? null : Times.endOf(at, Clock.systemUTC(), ZoneId.systemDefault());
        DrillRequest request = request(config, source, snapshot, when, target, keep);
        DrillReport report;
        try (TerminalProgress progress = interaction.progress("drill", "tables")) {
            report = new DrillService(session.repository(), catalog, session.home(), Clock.systemUTC())
                    .run(request, progress);
        }
        // A failed drill is an alert: the rules read it from the catalog.
        alerts.evaluate(Instant.now());
        String rendered = rendered(report, json);
        return withRunbook(config, rendered, json);
    }

    /**
     * With {@code drill.runbook}, a drill that passed goes on to run that runbook, so the written
     * procedure is tested as well; its failure fails the drill (exit 3). A drill started by a runbook
     * does not start one again.
     */
    private String withRunbook(RkConfig config, String rendered, boolean json) {
        String name = config.drill().runbook();
        io.restorekit.runbook.RunbookService service = runbooks == null ? null : runbooks.getIfAvailable();
        if (name == null || service == null || io.restorekit.catalog.Actor.current().runbook() != null) {
            return rendered;
        }
        io.restorekit.runbook.RunbookResult result = service.run(new io.restorekit.runbook.RunbookRequest(name, null,
                java.util.Map.of(), false, true, null), io.restorekit.runbook.RunbookListener.NONE);
        if (json) {
            rendered = Json.render(java.util.Map.of("drill", Json.tree(rendered), "runbook", result));
        } else {
            rendered = rendered + "\n\nrunbook '" + name + "' (" + result.commit().substring(0, 8) + "): "
                    + (result.exitCode() == 0 ? "passed, " + result.steps().size() + " steps"
                    : "FAILED with exit code " + result.exitCode() + ": " + result.error())
                    + (result.evidencePath() == null ? "" : "; evidence " + result.evidencePath());
        }
        if (result.exitCode() == 0) {
            return rendered;
        }
        interaction.out().println(rendered);
        interaction.out().flush();
        throw new RkException(ErrorCode.PROBLEMS_FOUND, "the drill passed but its runbook '" + name + "' failed: "
                + result.error() + "; see 'rk runbook log " + name + "' and the evidence");
    }

    @Command(command = "history", description = "List drills: result, restore time, snapshot age, checks")
    public String history(
            @Option(longNames = "limit", defaultValue = "20", description = "at most this many (0: all)") int limit,
            @Option(longNames = "json", description = "print one JSON document") boolean json) {
        List<Run> runs = new DrillService(null, catalog, session.home(), Clock.systemUTC()).history(limit);
        List<HistoryRow> rows = runs.stream().map(HistoryRow::of).toList();
        if (json) {
            return Json.render(rows);
        }
        if (rows.isEmpty()) {
            return "no drills recorded yet; run 'rk drill run'";
        }
        Table table = new Table("ID", "STARTED", "RESULT", "SOURCE", "SNAPSHOT", "RESTORE", "RPO", "CHECKS", "PROBLEM");
        rows.forEach(r -> table.row(r.id(), Times.local(r.started()), r.result(), r.source() == null ? "all"
                : r.source(), r.snapshot() == null ? "" : r.snapshot().substring(0, Math.min(8, r.snapshot().length())),
                new Table.Right(r.restoreMs() < 0 ? "" : DrillReport.human(r.restoreMs())),
                new Table.Right(r.snapshotAgeMs() < 0 ? "" : DrillReport.human(r.snapshotAgeMs())),
                r.checks() < 0 ? "" : r.passed() + "/" + r.checks(), r.problem() == null ? "" : r.problem()));
        return table.render().stripTrailing();
    }

    @Command(command = "report", description = "Print a drill's report (Markdown), or --json")
    public String report(
            @Option(longNames = "id", required = true, description = "the drill's id from 'rk drill history'") long id,
            @Option(longNames = "json", description = "print one JSON document") boolean json) {
        DrillReport report = new DrillService(null, catalog, session.home(), Clock.systemUTC()).report(id);
        return json ? Json.render(report) : report.markdown().stripTrailing();
    }

    /** The report, printed before a failure (exit 3) or returned. */
    String rendered(DrillReport report, boolean json) {
        String out = json ? Json.render(report) : report.markdown().stripTrailing();
        if (report.code().exitCode() == 0) {
            return out;
        }
        interaction.out().println(out);
        interaction.out().flush();
        DrillReport.Check first = report.failures().stream()
                .filter(c -> c.severity() == DrillReport.Severity.ERROR).findFirst().orElseThrow();
        throw new RkException(report.code(), "drill #" + report.id() + " failed "
                + RepositoryCommands.plural(report.failures().stream()
                .filter(c -> c.severity() == DrillReport.Severity.ERROR).count(), "check") + ", first "
                + (first.source() == null ? "" : first.source() + ": ") + first.name() + ": expected "
                + first.expected() + ", got " + first.actual() + "; the report lists every check");
    }

    /** A drill of the configured sources (or one of them) with the configured target, RTO and checks. */
    static DrillRequest request(RkConfig config, String source, String snapshot, Instant at, String target,
                                boolean keep) {
        List<SourceSpec> sources = source == null ? config.sources() : List.of(config.source(source));
        RkConfig.Drill d = config.drill();
        return new DrillRequest(sources, snapshot, at, target == null ? d.target() : target, null, null, keep, d.rto(),
                d.checks().stream().map(c -> new DrillRequest.SqlCheck(c.name(), c.sql(), c.expect())).toList(),
                d.sampleFiles(), d.liveFiles(), null);
    }

    /** One line of {@code drill history}; -1 where a killed drill left no report. */
    record HistoryRow(long id, Instant started, String result, String source, String snapshot, long restoreMs,
                      long snapshotAgeMs, int checks, int passed, String problem) {
        static HistoryRow of(Run run) {
            String result = switch (run.status()) {
                case SUCCEEDED -> "PASSED";
                case RUNNING -> run.details() == null ? "RUNNING/KILLED" : "RUNNING";
                default -> run.status().name();
            };
            if (run.details() == null) {
                return new HistoryRow(run.id(), run.started(), result, run.source(), run.snapshot(), -1, -1, -1, -1,
                        run.error());
            }
            DrillReport r = DrillReport.fromJson(run.details());
            return new HistoryRow(run.id(), run.started(), result, run.source(), run.snapshot(), r.restoreMs(),
                    r.snapshotAgeMs(), r.checks().size(), (int) r.checks().stream().filter(DrillReport.Check::passed)
                    .count(), run.error());
        }
    }
}
