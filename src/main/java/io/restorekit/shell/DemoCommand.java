package io.restorekit.shell;

import io.restorekit.common.Sizes;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.config.RepositorySession;
import io.restorekit.demo.DemoResult;
import io.restorekit.demo.DemoService;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;

import java.time.Clock;
import java.util.Locale;

/**
 * {@code demo}: a guided end-to-end run under RK_HOME/demo, with an embedded PostgreSQL for its
 * sample database; needs no configuration, no password and no database server.
 */
@Command
public class DemoCommand {
    private final RepositorySession session;
    private final Interaction interaction;

    public DemoCommand(RepositorySession session, Interaction interaction) {
        this.session = session;
        this.interaction = interaction;
    }

    @Command(command = "demo", description = "Back up, restore and verify sample files and an embedded sample"
            + " database under RK_HOME/demo")
    public String demo(@Option(longNames = "json", description = "print one JSON document") boolean json) {
        DemoResult result;
        try (TerminalProgress progress = interaction.progress("demo", "files")) {
            result = new DemoService(Clock.systemUTC()).run(session.home(), progress);
        }
        String rendered = json ? Json.render(result) : render(result);
        boolean drillPassed = result.drill() == null || result.drill().code().exitCode() == 0;
        if (result.identical() && result.databaseIdentical() && result.verified() && result.tenantRestored()
                && drillPassed) {
            return rendered;
        }
        interaction.out().println(rendered);
        interaction.out().flush();
        if (!result.verified()) {
            throw new RkException(ErrorCode.PROBLEMS_FOUND, "the demo repository failed verification; see above");
        }
        if (!drillPassed) {
            throw new RkException(ErrorCode.PROBLEMS_FOUND, "the demo's restore drill failed; see its report above");
        }
        throw new RkException(ErrorCode.FAILED, !result.tenantRestored() && result.identical()
                && result.databaseIdentical() ? "the demo's tenant restore did not bring tenant 2's billing back"
                + " exactly, or touched other tenants; see above"
                : result.identical() ? "the demo's restored database differs from its snapshot; see the tables above"
                : "the demo's restored file differs from the original: " + result.restoredFile());
    }

    static String render(DemoResult r) {
        int width = r.steps().stream().mapToInt(s -> s.title().length()).max().orElse(0);
        StringBuilder out = new StringBuilder("restorekit demo in ").append(r.home()).append("\n\n");
        int n = 1;
        for (DemoResult.Step step : r.steps()) {
            String time = Sizes.millis(step.durationMs());
            out.append(String.format(Locale.ROOT, "%2d. %-" + width + "s  %7s  %s\n", n++, step.title(), time, step.outcome()));
        }
        out.append("\nrestored file: ").append(r.restoredFile())
                .append(r.identical() ? " (identical to the original)" : " (DIFFERS from the original)").append('\n');
        Table tables = new Table("TABLE", "ROWS", "RESTORED");
        r.tables().forEach(t -> tables.row(t.table(), t.rows(), t.equal() ? "rows and digest equal" : "DIFFERS"));
        out.append("restored database (snapshot ").append(r.databaseSnapshot(), 0, 8).append("):\n")
                .append(tables.render());
        out.append("verification: ").append(r.verified() ? "no problems" : "PROBLEMS FOUND").append("\n\n");
        if (r.drill() != null) {
            out.append(r.drill().markdown()).append('\n');
        }
        out.append("try next:\n");
        r.tryNext().forEach(t -> out.append("  ").append(t).append('\n'));
        return out.toString().stripTrailing();
    }
}
