package io.restorekit.shell;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.RkException;
import io.restorekit.common.Sizes;
import io.restorekit.config.Operations;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.RkConfig;
import io.restorekit.repository.Snapshot;
import io.restorekit.source.SourceSpec;
import io.restorekit.source.mysql.MySqlBackup;
import io.restorekit.status.Recorded;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.shell.command.CommandContext;
import org.springframework.shell.command.CommandRegistration.OptionArity;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;
import org.springframework.shell.command.annotation.OptionValues;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.stream.Collectors;

/** {@code backup}: one snapshot of every configured source, or of the named ones. */
@Command
public class BackupCommand {
    private final RepositorySession session;
    private final Interaction interaction;
    private final Operations operations;

    @Autowired
    public BackupCommand(RepositorySession session, Interaction interaction, Operations operations) {
        this.session = session;
        this.interaction = interaction;
        this.operations = operations;
    }

    /** Without a catalog: runs are recorded in memory only and no alert is sent. */
    public BackupCommand(RepositorySession session, Interaction interaction) {
        this(session, interaction, null);
    }

    @Command(command = "backup", description = "Back up every source (or the named ones): one snapshot each")
    public String backup(
            @Option(longNames = "source", arity = OptionArity.ZERO_OR_MORE, description = "only these sources")
            @OptionValues(provider = "sourceNames") List<String> sources,
            @Option(longNames = "tag", arity = OptionArity.ZERO_OR_MORE, description = "tags for every snapshot")
            List<String> tags,
            @Option(longNames = "time", description = "record this snapshot time instead of now (ISO date-time)")
            String time,
            @Option(longNames = "json", description = "print one JSON document") boolean json,
            CommandContext context) throws IOException {
        sources = Repeated.values(context, "source", sources);
        tags = Repeated.values(context, "tag", tags);
        RkConfig config = session.config();
        List<SourceSpec> specs = sources.isEmpty() ? config.sources()
                : sources.stream().map(config::source).toList();
        Instant at = time == null ? null : Times.startOf(time, Clock.systemUTC(), ZoneId.systemDefault());
        BackupService service = new BackupService(session.repository());
        MySqlBackup.Opening ahead = specs.isEmpty() ? null : EarlyConnect.takeBackup(specs.get(0).name());
        if (ahead != null) {
            service.openedAhead(specs.get(0).name(), ahead);
        }
        BackupResult result;
        try (TerminalProgress progress = interaction.progress("backup", "files")) {
            Recorded<BackupResult> recorded = OpsCommands.runner(operations)
                    .backup(service, new BackupRequest(specs, tags, at, null, null), progress);
            OpsCommands.warn(interaction, recorded.warnings());
            result = recorded.result();
        }
        StartupTraining.backedUp(result);
        String rendered = json ? Json.render(result) : render(result);
        if (result.succeeded()) {
            return rendered;
        }
        interaction.out().println(rendered);
        interaction.out().flush();
        List<BackupResult.SourceResult> failed = result.sources().stream().filter(s -> s.error() != null).toList();
        throw new RkException(result.code(), failed.stream()
                .map(s -> s.error().contains("'" + s.source() + "'") ? s.error()
                        : "source '" + s.source() + "': " + s.error())
                .collect(Collectors.joining("; ")));
    }

    static String render(BackupResult result) {
        Table table = new Table("SOURCE", "SNAPSHOT", "FILES", "UNCHANGED", "NEW", "STORED", "TIME", "WARNINGS");
        StringBuilder notes = new StringBuilder();
        for (BackupResult.SourceResult s : result.sources()) {
            Snapshot.Summary sum = s.summary();
            if (s.error() != null || sum == null) {
                table.row(s.source(), "FAILED", "", "", "", "", "", "");
                continue;
            }
            table.row(s.source(), s.snapshotId().substring(0, 8), sum.files(), sum.reusedFiles(),
                    Table.bytes(sum.addedBytes()), Table.bytes(sum.storedBytes()),
                    new Table.Right(Sizes.millis(sum.durationMs())), s.warnings().size());
            for (Snapshot.Warning w : s.warnings()) {
                notes.append("warning: ").append(s.source()).append(": ").append(w.path()).append(": ")
                        .append(w.message()).append('\n');
            }
            for (String n : s.notes()) {
                notes.append("note: ").append(s.source()).append(": ").append(n).append('\n');
            }
        }
        StringBuilder tables = new StringBuilder();
        for (BackupResult.SourceResult s : result.sources()) {
            if (s.tables() == null) {
                continue;
            }
            // A database's cost is per table: a mostly unchanged table adds little.
            Table perTable = new Table("TABLE", "ROWS", "SIZE", "NEW");
            // a table the binary log showed unchanged was taken from the previous snapshot, not read
            s.tables().forEach(t -> perTable.row(t.table(), t.rows(), Table.bytes(t.bytes()),
                    Boolean.TRUE.equals(t.unchanged()) ? "unchanged" : Table.bytes(t.addedBytes())));
            tables.append('\n').append(s.source()).append(" (").append(s.snapshotId(), 0, 8).append("):\n")
                    .append(perTable.render());
        }
        return (table.render() + tables + notes).stripTrailing();
    }
}
