package io.restorekit.shell;

import io.restorekit.common.Sizes;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.config.ConfigLoader;
import io.restorekit.config.RkConfig;
import io.restorekit.repository.Snapshot;
import io.restorekit.verify.VerifyReport;
import org.springframework.shell.command.annotation.Command;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * {@code rk warm-up} (hidden): touches the code every command uses, without side effects, so
 * that the launcher's start-up archive, recorded while it runs, covers it.
 */
@Command
public class WarmUpCommand {
    private static final String SAMPLE = """
            repository: {url: /nonexistent/rk}
            sources:
              - {name: files, type: files, path: /srv, exclude: ["**/*.tmp"], tenant-path: "t-{tenant}/**"}
              - {name: db, type: postgres, url: "jdbc:postgresql://h/app"}
            modules: {billing: {tables: [invoices], paths: ["*/invoices/**"]}}
            retention: {keep-last: 2, daily: 7}
            drill: {rto: 4h, checks: [{name: c, sql: "select 0", expect: "= 0"}]}
            schedule: {backup: "0 0 3 * * *"}
            alerts: {webhook: "https://example.com/hook", stale-after: 24h, size-change: 30%}
            """;

    @Command(command = "warm-up", hidden = true, description = "Exercise start-up code paths (used by shell/rk)")
    public String warmUp() {
        RkConfig config = new ConfigLoader(Map.of(), Path.of("/nonexistent")).parse("warm-up.yml", SAMPLE,
                Path.of("/nonexistent"));
        Snapshot snapshot = new Snapshot("0".repeat(64), 1, "files", "files", Instant.EPOCH, "h", "u", "r",
                List.of("t"), null, "/srv", null, new Snapshot.Summary(1, 1, 1, 1, 1, 0, 1), List.of());
        Table table = new Table("ID", "SOURCE", "SIZE").row(snapshot.shortId(), config.sources().get(0).name(),
                Table.bytes(123456));
        String json = Json.render(List.of(RepositoryCommands.SnapshotView.of(snapshot)));
        String verify = VerifyCommand.render(new VerifyReport(true, 1, 1, 1, 1, 1, 1, List.of(new VerifyReport.Problem(
                VerifyReport.Severity.ERROR, "blob 00", "warm-up", List.of("0".repeat(64)), List.of("f"), 1))));
        Instant at = Times.endOf("2026-11-21", Clock.systemUTC(), ZoneId.systemDefault());
        String listing = BrowseCommands.mode(0755) + Times.local(at) + Sizes.millis(1234) + verify.length()
                + Json.render(VerifyCommand.View.of(new VerifyReport(false, 0, 0, 0, 0, 0, 0, List.of())));
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        Launcher.report(new RkException(ErrorCode.BAD_INPUT, "warm-up"), sink);
        try (TerminalProgress progress = new TerminalProgress(sink, true, "warm-up", "files", System::nanoTime)) {
            progress.total(2, 2);
            progress.advance(1, 1);
        }
        return "ok " + (table.render().length() + json.length() + listing.length());
    }
}
