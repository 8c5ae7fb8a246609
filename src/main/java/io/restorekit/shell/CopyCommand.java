package io.restorekit.shell;

import io.restorekit.common.BadInputException;
import io.restorekit.common.RkException;
import io.restorekit.common.Sizes;
import io.restorekit.config.Operations;
import io.restorekit.config.RepositoryConfig;
import io.restorekit.status.Recorded;
import org.springframework.beans.factory.annotation.Autowired;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.RkConfig;
import io.restorekit.config.StorageFactory;
import io.restorekit.copy.CopyRequest;
import io.restorekit.copy.CopyResult;
import io.restorekit.copy.CopyService;
import io.restorekit.storage.Storage;
import org.springframework.shell.command.CommandContext;
import org.springframework.shell.command.CommandRegistration.OptionArity;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** {@code copy [--to NAME]...}: bring every configured copy, or the named ones, up to date with the primary. */
@Command
public class CopyCommand {
    private final RepositorySession session;
    private final StorageFactory storages;
    private final Interaction interaction;
    private final Operations operations;

    @Autowired
    public CopyCommand(RepositorySession session, StorageFactory storages, Interaction interaction,
                       Operations operations) {
        this.session = session;
        this.storages = storages;
        this.interaction = interaction;
        this.operations = operations;
    }

    /** Without a catalog: runs are recorded in memory only and no alert is sent. */
    public CopyCommand(RepositorySession session, StorageFactory storages, Interaction interaction) {
        this(session, storages, interaction, null);
    }

    @Command(command = "copy", description = "Bring the copies up to date with the primary repository")
    public String copy(
            @Option(longNames = "to", arity = OptionArity.ZERO_OR_MORE, description = "only these copies") List<String> to,
            @Option(longNames = "json", description = "print one JSON document") boolean json,
            CommandContext context) throws IOException {
        to = Repeated.values(context, "to", to);
        RkConfig config = session.config();
        List<RepositoryConfig> copies = to.isEmpty() ? config.copies() : to.stream().map(config::copy).toList();
        if (copies.isEmpty()) {
            throw new BadInputException("no copy is configured; add one under 'copies:' in " + config.file());
        }
        CopyService service = new CopyService(session.repository());
        List<Storage> opened = new ArrayList<>();
        CopyResult result;
        try {
            List<CopyRequest.Destination> destinations = new ArrayList<>();
            for (RepositoryConfig copy : copies) {
                Storage storage = storages.create(copy, config.baseDir());
                opened.add(storage);
                destinations.add(new CopyRequest.Destination(copy.name(), storage));
            }
            try (TerminalProgress progress = interaction.progress("copy", "objects")) {
                Recorded<CopyResult> recorded = OpsCommands.runner(operations)
                        .copy(service, new CopyRequest(destinations), progress);
                OpsCommands.warn(interaction, recorded.warnings());
                result = recorded.result();
            }
        } finally {
            for (Storage storage : opened) {
                try {
                    storage.close();
                } catch (IOException ignored) {
                    // nothing left to save through it
                }
            }
        }
        String rendered = json ? Json.render(result) : render(result);
        if (result.succeeded()) {
            return rendered;
        }
        interaction.out().println(rendered);
        interaction.out().flush();
        throw new RkException(result.code(), result.destinations().stream().filter(d -> !d.succeeded())
                .map(d -> d.error() != null ? d.error()
                        : "copy '" + d.name() + "': " + String.join("; ", d.problems()))
                .collect(Collectors.joining("; ")));
    }

    static String render(CopyResult result) {
        Table table = new Table("COPY", "LOCATION", "COPIED", "BYTES", "ALREADY THERE", "SNAPSHOTS", "TIME", "STATUS");
        for (CopyResult.DestinationResult d : result.destinations()) {
            table.row(d.name(), d.location(), d.copiedObjects(), Table.bytes(d.copiedBytes()), d.presentObjects(),
                    d.snapshots() < 0 ? "?" : d.snapshots(), new Table.Right(Sizes.millis(d.durationMs())),
                    d.succeeded() ? "up to date" : d.errorCode() != null ? "FAILED" : "PROBLEMS");
        }
        return table.render().stripTrailing();
    }
}
