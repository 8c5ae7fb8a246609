package io.restorekit.shell;

import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.common.Sizes;
import org.springframework.beans.factory.annotation.Autowired;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.restorekit.common.BadInputException;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.config.RepositorySession;
import io.restorekit.restore.PathScope;
import io.restorekit.restore.RestorePlan;
import io.restorekit.restore.RestoreRequest;
import io.restorekit.restore.RestoreResult;
import io.restorekit.restore.RestoreService;
import io.restorekit.restore.RestoreWouldOverwriteException;
import io.restorekit.source.SourceSpec;
import io.restorekit.source.files.FilesRestore;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.source.DatabaseSpec;
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
import java.util.List;
import java.util.Optional;

/**
 * {@code restore}: files of one source, from a snapshot or as of a moment, into a folder or in place;
 * a database source into the database of a JDBC URL ({@link DatabaseRestore}).
 */
@Command
public class RestoreCommand {
    private final RepositorySession session;
    private final Interaction interaction;
    private final Catalog catalog;

    @Autowired
    public RestoreCommand(RepositorySession session, Interaction interaction, Catalog catalog) {
        this.session = session;
        this.interaction = interaction;
        this.catalog = catalog;
    }

    /** A command whose restores are recorded in a catalog of its own (tests). */
    public RestoreCommand(RepositorySession session, Interaction interaction) {
        this(session, interaction, new InMemoryCatalog());
    }

    @Command(command = "restore", description = "Restore files or a database of a source (plan first with --dry-run)")
    public String restore(
            @Option(longNames = "source", required = true, description = "the source to restore")
            @OptionValues(provider = "sourceNames") String source,
            @Option(longNames = "snapshot", description = "snapshot id or unique prefix (default: latest)")
            @OptionValues(provider = "snapshotIds") String snapshot,
            @Option(longNames = "at", description = "as of this moment: 2026-11-21 (end of day), 2026-11-21T15:00,"
                    + " yesterday") String at,
            @Option(longNames = "tenant", description = "only this tenant's rows or files") String tenant,
            @Option(longNames = "module", description = "only this module's tables or paths")
            @OptionValues(provider = "moduleNames") String module,
            @Option(longNames = "file", arity = OptionArity.ZERO_OR_MORE,
                    description = "only these paths (relative to the source's folder)") List<String> files,
            @Option(longNames = "target", description = "write under this folder, or into this database"
                    + " (jdbc:postgresql://HOST[:PORT]/DATABASE, jdbc:mariadb://HOST[:PORT]/DATABASE)") String target,
            @Option(longNames = "in-place", description = "write to the source's own folder") boolean inPlace,
            @Option(longNames = "dry-run", description = "show the plan, change nothing") boolean dryRun,
            @Option(longNames = "yes", description = "overwrite files that differ, or replace a database that"
                    + " holds tables, without asking") boolean yes,
            @Option(longNames = "json", description = "print one JSON document") boolean json,
            CommandContext context) throws IOException {
        files = Repeated.values(context, "file", files);
        SourceSpec spec = session.config().source(source);
        if (snapshot != null && at != null) {
            throw new BadInputException("give --snapshot or --at, not both");
        }
        if (spec instanceof DatabaseSpec database) {
            return new DatabaseRestore(session, interaction, catalog).restore(database, snapshot, at, tenant, module,
                    files, target, inPlace, dryRun, yes, json);
        }
        if (!(spec instanceof FilesSourceSpec filesSource)) {
            throw new BadInputException("source '" + source + "' is a " + spec.type() + " database; restoring"
                    + " it is not supported yet");
        }
        PathScope scope = null;
        if (tenant != null || module != null) {
            List<String> globs = null;
            if (module != null) {
                globs = Modules.named(session.config(), module).paths();
                if (globs.isEmpty()) {
                    throw new BadInputException("module '" + module + "' names no paths (only tables); restore it"
                            + " from a database source, or add 'paths' to modules." + module + " in the configuration");
                }
            }
            scope = PathScope.of(tenant, filesSource.tenantPath(), module, globs);
        }
        if ((target == null) == !inPlace) {
            throw new BadInputException(inPlace ? "give --target DIR or --in-place, not both"
                    : "restore needs a target: give --target DIR or --in-place");
        }
        Path into = inPlace ? filesSource.path().toAbsolutePath().normalize()
                : Path.of(target).toAbsolutePath().normalize();
        Instant when = at == null ? null : Times.endOf(at, Clock.systemUTC(), ZoneId.systemDefault());
        RestoreRequest request = new RestoreRequest(source, snapshot, when, files, into, dryRun, yes, scope);
        RestoreService service = new RestoreService(session.repository(), 2, catalog, session.home().resolve("cache"));
        RestoreResult result;
        try (TerminalProgress progress = interaction.progress("restore", "files")) {
            try {
                result = service.restore(request, progress);
            } catch (RestoreWouldOverwriteException refused) {
                RestorePlan plan = refused.plan();
                Optional<Boolean> answer = interaction.confirm("overwrite " + RepositoryCommands.plural(
                        plan.filesToOverwrite(), "file") + " in '" + plan.target() + "' that differ from snapshot "
                        + plan.snapshot().shortId() + "?");
                if (answer.isEmpty()) {
                    throw refused;
                }
                if (!answer.get()) {
                    throw new RkException(ErrorCode.FAILED, "restore cancelled; nothing was written");
                }
                result = service.restore(new RestoreRequest(source, plan.snapshot().id(), null, files, into, false,
                        true, scope), progress);
            }
        }
        return json ? Json.render(View.of(result)) : render(result);
    }

    static String render(RestoreResult result) {
        RestorePlan plan = result.plan();
        String from = "snapshot " + SnapshotRef.of(plan.snapshot()).describe();
        StringBuilder out = new StringBuilder();
        if (result.dryRun()) {
            out.append("plan: restore from ").append(from).append(" into ").append(plan.target()).append('\n');
            Table table = new Table("ACTION", "TYPE", "SIZE", "PATH");
            for (FilesRestore.Item item : plan.items()) {
                if (!item.node().isDir()) {
                    table.row(item.action(), item.type().label(), Table.bytes(item.size()),
                            item.path() + (item.node().isSymlink() ? " -> " + item.node().target() : ""));
                }
            }
            if (!table.isEmpty()) {
                out.append(table.render());
            }
            out.append(plan.filesToWrite()).append(" to create, ").append(plan.filesToOverwrite())
                    .append(" to overwrite, ").append(plan.filesUnchanged()).append(" unchanged, ")
                    .append(RepositoryCommands.plural(plan.dirsToCreate(), "folder")).append(" to create; ")
                    .append(Sizes.bytes(plan.bytesToRead())).append(" to read\n");
            out.append("dry run: nothing was written");
            return out.toString();
        }
        out.append("restored from ").append(from).append(" into ").append(plan.target()).append(": ")
                .append(RepositoryCommands.plural(result.filesWritten(), "file")).append(" created, ")
                .append(result.filesOverwritten()).append(" overwritten, ").append(result.filesUnchanged())
                .append(" unchanged, ").append(RepositoryCommands.plural(result.dirsCreated(), "folder"))
                .append(" created; ").append(Sizes.bytes(result.bytesWritten())).append(" in ")
                .append(Sizes.millis(result.durationMs()));
        result.warnings().forEach(w -> out.append("\nwarning: ").append(w));
        return out.toString();
    }

    /** {@code restore --json}: the plan's items only for a dry run. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record View(boolean dryRun, SnapshotRef snapshot, String target, long filesToWrite, long filesToOverwrite,
                long filesUnchanged, long dirsToCreate, long bytesToRead, Long filesWritten, Long filesOverwritten,
                Long dirsCreated, Long bytesWritten, long durationMs, List<Item> items, List<String> warnings) {
        static View of(RestoreResult r) {
            RestorePlan p = r.plan();
            boolean dry = r.dryRun();
            return new View(dry, SnapshotRef.of(p.snapshot()), p.target().toString(), p.filesToWrite(),
                    p.filesToOverwrite(), p.filesUnchanged(), p.dirsToCreate(), p.bytesToRead(),
                    dry ? null : r.filesWritten(), dry ? null : r.filesOverwritten(), dry ? null : r.dirsCreated(),
                    dry ? null : r.bytesWritten(), r.durationMs(),
                    dry ? p.items().stream().map(Item::of).toList() : null, r.warnings());
        }
    }

    /** One entry of a plan. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Item(String path, String type, String action, long size, String target) {
        static Item of(FilesRestore.Item i) {
            return new Item(i.path(), i.type().label(), i.action().name(), i.size(),
                    i.node().isSymlink() ? i.node().target() : null);
        }
    }
}
