package io.restorekit.shell;

import io.restorekit.common.BadInputException;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.RkConfig;
import io.restorekit.daemon.CronText;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;

import java.util.Map;

/** {@code schedule print}: the configured schedules as crontab lines or systemd units. */
@Command(command = "schedule", group = "Schedules")
public class ScheduleCommands {
    private static final Map<String, String> COMMANDS = Map.of("backup", "backup", "copy", "copy", "verify", "verify",
            "drill", "drill run", "forget", "forget", "prune", "prune");

    private final RepositorySession session;

    public ScheduleCommands(RepositorySession session) {
        this.session = session;
    }

    @Command(command = "print", description = "Print the configured schedules for the system scheduler instead of"
            + " 'rk daemon': crontab lines or systemd service and timer units")
    public String print(@Option(longNames = "format", defaultValue = "cron", description = "cron or systemd")
                        String format) {
        RkConfig config = session.config();
        Map<String, String> schedules = DaemonCommand.schedules(config);
        if (schedules.isEmpty()) {
            throw new BadInputException(config.file() + ": no schedule configured; add 'schedule:' with cron"
                    + " expressions (seconds first) such as 'backup: \"0 0 3 * * *\"'");
        }
        String configFile = config.file().toAbsolutePath().toString();
        StringBuilder out = new StringBuilder();
        switch (format) {
            case "cron" -> {
                out.append("# restorekit schedules from ").append(configFile).append(" (install with 'crontab -e';\n")
                        .append("# 'rk' must be on cron's PATH, and RK_PASSWORD_FILE set for a non-interactive run)\n");
                schedules.forEach((job, cron) -> {
                    CronText.Crontab c = CronText.crontab(cron);
                    out.append(c.schedule()).append(' ').append(c.guard() == null ? "" : c.guard() + " && ")
                            .append("RK_CONFIG=").append(configFile).append(" rk ").append(COMMANDS.get(job))
                            .append('\n');
                });
            }
            case "systemd" -> schedules.forEach((job, cron) -> out.append("# /etc/systemd/system/rk-").append(job)
                    .append(".service\n[Unit]\nDescription=restorekit ").append(COMMANDS.get(job))
                    .append("\n\n[Service]\nType=oneshot\nEnvironment=RK_CONFIG=").append(configFile)
                    .append("\nExecStart=/usr/local/bin/rk ").append(COMMANDS.get(job))
                    .append("\n\n# /etc/systemd/system/rk-").append(job).append(".timer\n[Unit]\nDescription=restorekit ")
                    .append(job).append(" schedule (").append(cron).append(")\n\n[Timer]\nOnCalendar=")
                    .append(CronText.onCalendar(cron)).append("\nPersistent=true\n\n[Install]\nWantedBy=timers.target\n\n"));
            default -> throw new BadInputException("unknown format '" + format + "'; expected cron or systemd");
        }
        return out.toString().stripTrailing();
    }
}
