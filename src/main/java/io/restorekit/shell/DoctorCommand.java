package io.restorekit.shell;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.StorageFactory;
import io.restorekit.doctor.DoctorReport;
import io.restorekit.doctor.DoctorService;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;

import java.util.Map;

/** {@code doctor}: configuration, credentials, reachability, tools, drill leftovers (exit 3 on errors). */
@Command
public class DoctorCommand {
    private final RepositorySession session;
    private final StorageFactory storages;
    private final Interaction interaction;
    private final Map<String, String> env;

    @Autowired
    public DoctorCommand(RepositorySession session, StorageFactory storages, Interaction interaction) {
        this(session, storages, interaction, System.getenv());
    }

    DoctorCommand(RepositorySession session, StorageFactory storages, Interaction interaction, Map<String, String> env) {
        this.session = session;
        this.storages = storages;
        this.interaction = interaction;
        this.env = env;
    }

    @Command(command = "doctor", description = "Check configuration, credentials, reachability of sources and"
            + " repositories, tools, and leftovers of killed drills (--fix removes them)")
    public String doctor(
            @Option(longNames = "fix", description = "remove what killed drills left behind") boolean fix,
            @Option(longNames = "json", description = "print one JSON document") boolean json) {
        DoctorReport report = new DoctorService(session, storages, env).check(fix);
        String out = json ? Json.render(report) : render(report);
        if (report.errors() == 0) {
            return out;
        }
        interaction.out().println(out);
        interaction.out().flush();
        throw new RkException(ErrorCode.PROBLEMS_FOUND, "doctor found " + RepositoryCommands.plural(report.errors(),
                "problem") + "; each line marked ERROR says what to do");
    }

    static String render(DoctorReport report) {
        Table table = new Table("", "AREA", "SUBJECT", "FINDING");
        for (DoctorReport.Finding f : report.findings()) {
            table.row(f.severity() == DoctorReport.Severity.OK ? "ok" : f.severity().name(), f.area(), f.subject(),
                    f.message() + (f.fixed() == null ? "" : "; fixed: " + f.fixed()));
        }
        return table.render() + "\n" + RepositoryCommands.plural(report.errors(), "error") + ", "
                + RepositoryCommands.plural(report.warnings(), "warning");
    }
}
