package io.restorekit.shell;

import io.restorekit.archive.ExportRequest;
import io.restorekit.archive.ExportResult;
import io.restorekit.archive.ExportService;
import io.restorekit.archive.ImportRequest;
import io.restorekit.archive.ImportResult;
import io.restorekit.archive.ImportService;
import io.restorekit.common.Sizes;
import io.restorekit.config.RepositorySession;
import io.restorekit.repository.Repository;
import org.springframework.shell.command.CommandContext;
import org.springframework.shell.command.CommandRegistration.OptionArity;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;
import org.springframework.shell.command.annotation.OptionValues;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;

/**
 * {@code export}: the offline copy for an external drive, readable with standard tools alone;
 * {@code import}: existing archives and dumps brought in as snapshots.
 */
@Command
public class ArchiveCommands {
    private final RepositorySession session;
    private final Interaction interaction;

    public ArchiveCommands(RepositorySession session, Interaction interaction) {
        this.session = session;
        this.interaction = interaction;
    }

    @Command(command = "export", description = "Write an offline export (tar/SQL, zstd, OpenPGP) into a folder, e.g. an external drive")
    public String export(
            @Option(longNames = "to", required = true, description = "folder to write the export into") String to,
            @Option(longNames = "source", arity = OptionArity.ZERO_OR_MORE, description = "only these sources")
            @OptionValues(provider = "sourceNames") List<String> sources,
            @Option(longNames = "snapshot", description = "export this snapshot instead of the newest of each source")
            @OptionValues(provider = "snapshotIds") String snapshot,
            @Option(longNames = "json", description = "print one JSON document") boolean json,
            CommandContext context) throws IOException {
        sources = Repeated.values(context, "source", sources);
        Repository repository = session.repository();
        char[] passphrase = session.passwords().exportPassphrase(repository.storage().location());
        ExportResult result;
        try (TerminalProgress progress = interaction.progress("export", "files")) {
            result = new ExportService(repository).export(new ExportRequest(Path.of(to), sources, snapshot,
                    passphrase, Instant.now(), ZoneId.systemDefault()), progress);
        } finally {
            Arrays.fill(passphrase, '\0');
        }
        return json ? Json.render(result) : render(result);
    }

    @Command(command = "import", description = "Bring an existing backup (tar, tar.gz, tar.zst; a pg_dump file) in as a snapshot")
    public String importFile(
            @Option(longNames = "source", required = true, description = "the source the snapshot belongs to")
            @OptionValues(provider = "sourceNames") String source,
            @Option(longNames = "file", required = true, label = "FILE", description = "the archive or dump") String file,
            @Option(longNames = "time", description = "snapshot time (ISO date or date-time); default: a date in the"
                    + " file name, else the file's modification time") String time,
            @Option(longNames = "tag", arity = OptionArity.ZERO_OR_MORE, description = "tags for the snapshot")
            List<String> tags,
            @Option(longNames = "json", description = "print one JSON document") boolean json,
            CommandContext context) throws IOException {
        tags = Repeated.values(context, "tag", tags);
        ZoneId zone = ZoneId.systemDefault();
        Instant at = time == null ? null : Times.startOf(time, Clock.systemUTC(), zone);
        ImportRequest request = new ImportRequest(session.config().source(source), Path.of(file), at, zone, tags,
                session.home().resolve("tmp"));
        ImportResult result;
        try (TerminalProgress progress = interaction.progress("import", "files")) {
            result = new ImportService(session.repository()).importFile(request, progress);
        }
        if (json) {
            return Json.render(result);
        }
        return "imported " + file + " (" + result.format() + ") as snapshot " + result.snapshotId().substring(0, 8)
                + " of source '" + result.source() + "', time " + result.time() + " (from the " + result.timeFrom()
                + "): " + result.items() + (result.format().startsWith("pg_dump") ? " rows, " : " files, ")
                + Sizes.bytes(result.bytes()) + ", " + Sizes.bytes(result.addedBytes()) + " new, in "
                + Sizes.millis(result.durationMs());
    }

    static String render(ExportResult result) {
        Table table = new Table("FILE", "SOURCE", "SNAPSHOT", "CONTENT", "PLAIN", "EXPORTED");
        for (ExportResult.ExportedFile f : result.files()) {
            table.row(f.name(), f.source(), f.snapshot().substring(0, 8),
                    new Table.Right(f.items() + (f.kind().equals("files") ? " files" : " rows")),
                    Table.bytes(f.plainBytes()), Table.bytes(f.bytes()));
        }
        return table.render() + "\nexport written to " + result.folder() + " in " + Sizes.millis(result.durationMs())
                + "\ncheck it with: cd " + result.folder() + " && sha256sum -c checksum.sha256"
                + "\nrestore by hand: see RESTORE_INSTRUCTIONS.md there";
    }
}
