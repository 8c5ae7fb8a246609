package io.restorekit.shell;

import io.restorekit.catalog.AlertRecord;
import io.restorekit.catalog.AuditEntry;
import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunQuery;
import io.restorekit.common.BadInputException;
import io.restorekit.common.Sizes;
import io.restorekit.config.Operations;
import io.restorekit.config.RepositorySession;
import io.restorekit.status.CatalogRebuild;
import io.restorekit.status.MonthlyReport;
import io.restorekit.status.RecordingRunner;
import io.restorekit.status.ReportRenderer;
import io.restorekit.status.StatusReport;
import io.restorekit.status.StatusService;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;
import org.springframework.shell.command.annotation.OptionValues;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/** {@code status}, {@code history}, {@code audit}, {@code report} and {@code catalog rebuild}: the operations state. */
@Command
public class OpsCommands {
    private static final String GREEN = "\u001b[32m";
    private static final String YELLOW = "\u001b[33m";
    private static final String RED = "\u001b[31m";
    private static final String RESET = "\u001b[0m";

    private final Operations operations;
    private final RepositorySession session;
    private final Interaction interaction;

    public OpsCommands(Operations operations, RepositorySession session, Interaction interaction) {
        this.operations = operations;
        this.session = session;
        this.interaction = interaction;
    }

    /** The runner of backup/verify/copy: through the catalog and alerts when wired, else in memory only. */
    static RecordingRunner runner(Operations operations) {
        return operations != null ? operations.runner() : new RecordingRunner(new InMemoryCatalog(), null,
                Clock.systemUTC());
    }

    static void warn(Interaction interaction, List<String> warnings) {
        warnings.forEach(w -> interaction.err().println("warning: " + w));
        interaction.err().flush();
    }

    @Command(command = "status", description = "Dashboard: sources, repositories and copies, open alerts")
    public String status(
            @Option(longNames = "json", description = "print one JSON document") boolean json,
            @Option(longNames = "prometheus", description = "print Prometheus text format (node-exporter textfile)")
            boolean prometheus) {
        StatusService.Checked checked = operations.status().check();
        warn(interaction, checked.alerts().deliveryErrors().stream().map(e -> "alert not delivered: " + e).toList());
        StatusReport report = checked.report();
        if (prometheus) {
            return StatusService.prometheus(report).stripTrailing();
        }
        return json ? Json.render(report) : render(report, interaction.terminal());
    }

    static String render(StatusReport r, boolean colour) {
        Table sources = new Table("SOURCE", "STATE", "LAST GOOD BACKUP", "AGE", "SIZE", "TREND", "NEXT RUN",
                "LAST DRILL");
        for (StatusReport.SourceStatus s : r.sources()) {
            StatusReport.DrillStatus d = s.lastDrill();
            sources.row(s.source(), s.state().toUpperCase(Locale.ROOT),
                    s.lastSuccess() == null ? "never" : Times.local(s.lastSuccess()),
                    new Table.Right(s.ageSeconds() == null ? "" : age(s.ageSeconds())),
                    s.lastSuccess() == null ? new Table.Right("") : Table.bytes(s.lastSize()),
                    new Table.Right(s.sizeTrendPercent() == null ? "" : String.format(Locale.ROOT, "%+.1f%%",
                            s.sizeTrendPercent())),
                    s.nextRun() == null ? "not scheduled" : Times.local(s.nextRun()),
                    d == null ? "none" : Times.local(d.at()) + " " + d.status()
                            + (d.restoreMillis() == null ? "" : " " + Sizes.millis(d.restoreMillis())));
        }
        Table repositories = new Table("REPOSITORY", "LOCATION", "REACHABLE", "SNAPSHOTS", "NEWEST", "LAG", "FREE");
        for (StatusReport.RepositoryStatus x : r.repositories()) {
            repositories.row(x.name(), x.location(), x.reachable() ? "yes" : "NO: " + x.error(), x.snapshots(),
                    x.newest() == null ? "" : Times.local(x.newest()),
                    new Table.Right(x.lagSeconds() == null ? "" : age(x.lagSeconds())
                            + (x.missingSnapshots() == null || x.missingSnapshots() == 0 ? ""
                            : " (" + x.missingSnapshots() + " missing)")),
                    x.freeBytes() == null ? new Table.Right("") : new Table.Right(Sizes.bytes(x.freeBytes())
                            + String.format(Locale.ROOT, " (%.0f%%)", x.freeBytes() * 100.0 / Math.max(1, x.totalBytes()))));
        }
        String sourceTable = sources.render();
        if (colour) {
            // Coloured after aligning: escape codes have no width on a terminal.
            sourceTable = sourceTable.replaceAll("(?m)^(\\S+\\s+)GREEN\\b", "$1" + GREEN + "GREEN" + RESET)
                    .replaceAll("(?m)^(\\S+\\s+)YELLOW\\b", "$1" + YELLOW + "YELLOW" + RESET)
                    .replaceAll("(?m)^(\\S+\\s+)RED\\b", "$1" + RED + "RED" + RESET);
        }
        StringBuilder out = new StringBuilder(sourceTable).append('\n').append(repositories.render()).append('\n');
        for (StatusReport.SourceStatus s : r.sources()) {
            if (s.lastError() != null) {
                out.append("last backup of ").append(s.source()).append(" failed: ").append(s.lastError()).append('\n');
            }
        }
        if (r.openAlerts().isEmpty()) {
            out.append("no open alerts");
        } else {
            out.append("open alerts:\n");
            for (AlertRecord a : r.openAlerts()) {
                out.append("  ").append(a.severity().toUpperCase(Locale.ROOT)).append("  since ")
                        .append(Times.local(a.opened())).append("  ").append(a.message()).append('\n');
            }
        }
        return out.toString().stripTrailing();
    }

    @Command(command = "history", description = "Recorded runs: backups, verifies, restores, drills, copies, prunes")
    public String history(
            @Option(longNames = "source", description = "only runs of this source")
            @OptionValues(provider = "sourceNames") String source,
            @Option(longNames = "since", description = "only runs started at or after this date or date-time") String since,
            @Option(longNames = "limit", description = "at most this many (default 50; 0: all)", defaultValue = "50")
            int limit,
            @Option(longNames = "json", description = "print one JSON document") boolean json) {
        Instant from = since == null ? null : Times.startOf(since, Clock.systemUTC(), ZoneId.systemDefault());
        List<Run> runs = operations.catalog().runs(new RunQuery(null, source, from, limit));
        if (json) {
            return Json.render(runs);
        }
        Table table = new Table("ID", "KIND", "SOURCE/DEST", "STARTED", "TIME", "STATUS", "READ", "STORED", "SNAPSHOT",
                "BY");
        for (Run r : runs) {
            table.row(r.id(), r.kind(), r.source() != null ? r.source() : r.repository() == null ? "" : r.repository(),
                    Times.local(r.started()), new Table.Right(r.duration() == null ? "" : Sizes.millis(
                            r.duration().toMillis())), r.status(), Table.bytes(r.bytesRead()), Table.bytes(r.bytesStored()),
                    r.snapshot() == null ? "" : r.snapshot().substring(0, Math.min(8, r.snapshot().length())),
                    r.actor() == null ? "" : r.actor().user() + "@" + r.actor().host()
                            + (r.actor().runbook() == null ? "" : " (" + r.actor().runbook() + ")"));
        }
        StringBuilder out = new StringBuilder(table.isEmpty() ? "no runs recorded" : table.render());
        runs.stream().filter(r -> r.error() != null).limit(10).forEach(r -> out.append("\nrun ").append(r.id())
                .append(": ").append(r.error()));
        return out.toString().stripTrailing();
    }

    @Command(command = "audit", description = "Who ran what, when, with which arguments, and how it ended")
    public String audit(
            @Option(longNames = "since", description = "only entries at or after this date or date-time") String since,
            @Option(longNames = "limit", description = "at most this many (default 100; 0: all)", defaultValue = "100")
            int limit,
            @Option(longNames = "json", description = "print one JSON document") boolean json) {
        Instant from = since == null ? null : Times.startOf(since, Clock.systemUTC(), ZoneId.systemDefault());
        List<AuditEntry> entries = operations.catalog().audits(from, limit);
        if (json) {
            return Json.render(entries);
        }
        Table table = new Table("WHEN", "USER", "HOST", "RUNBOOK", "COMMAND", "OUTCOME", "EXIT");
        for (AuditEntry e : entries) {
            table.row(Times.local(e.at()), e.actor() == null ? "" : e.actor().user(),
                    e.actor() == null ? "" : e.actor().host(),
                    e.actor() == null || e.actor().runbook() == null ? "" : e.actor().runbook() + "@"
                            + e.actor().runbookCommit(), e.command(), e.outcome(), e.exitCode());
        }
        return table.isEmpty() ? "no audit entries" : table.render().stripTrailing();
    }

    @Command(command = "report", description = "Monthly report: runs, success rates, sizes, durations, drills, alerts")
    public String report(
            @Option(longNames = "month", required = true, description = "the month, YYYY-MM") String month,
            @Option(longNames = "format", defaultValue = "md", description = "md (Markdown) or html (with SVG charts)")
            String format,
            @Option(longNames = "json", description = "print one JSON document") boolean json) {
        YearMonth ym;
        try {
            ym = YearMonth.parse(month);
        } catch (DateTimeParseException e) {
            throw new BadInputException("invalid month '" + month + "'; expected YYYY-MM, e.g. 2026-11");
        }
        if (!format.equals("md") && !format.equals("html")) {
            throw new BadInputException("invalid format '" + format + "'; expected md or html");
        }
        MonthlyReport report = operations.reports().report(ym, session.config().sources().stream()
                .map(io.restorekit.source.SourceSpec::name).toList());
        if (json) {
            return Json.render(report);
        }
        return (format.equals("html") ? ReportRenderer.html(report) : ReportRenderer.markdown(report)).stripTrailing();
    }

    @Command(command = {"catalog", "rebuild"}, description = "Record every snapshot of the repository in the catalog")
    public String catalogRebuild(
            @Option(longNames = "json", description = "print one JSON document") boolean json) throws IOException {
        CatalogRebuild.Result result = operations.rebuild().rebuild(session.repository().snapshots());
        if (json) {
            return Json.render(result);
        }
        return "catalog " + result.catalog() + ": " + RepositoryCommands.plural(result.added(), "backup run")
                + " recorded from the repository's snapshots, " + result.known() + " already known";
    }

    private static String age(long seconds) {
        Duration d = Duration.ofSeconds(seconds);
        if (d.toMinutes() < 120) {
            return d.toMinutes() + "m";
        }
        return d.toHours() < 72 ? d.toHours() + "h" : d.toDays() + "d " + d.toHoursPart() + "h";
    }
}
