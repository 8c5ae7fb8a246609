package io.restorekit.shell;

import io.restorekit.common.Sizes;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.config.Operations;
import io.restorekit.config.RepositorySession;
import io.restorekit.status.Recorded;
import org.springframework.beans.factory.annotation.Autowired;
import io.restorekit.repository.Repository;
import io.restorekit.verify.VerifyReport;
import io.restorekit.verify.VerifyRequest;
import io.restorekit.verify.VerifyService;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;
import org.springframework.shell.command.annotation.OptionValues;

import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.retention.LockAuditReport;
import io.restorekit.retention.LockAuditService;

import java.io.IOException;
import java.time.Clock;
import java.time.ZoneId;
import java.util.List;

/** {@code verify}: check the repository and report every problem with what it affects (exit 3 if any). */
@Command
public class VerifyCommand {
    private final RepositorySession session;
    private final Interaction interaction;
    private final Operations operations;

    private final Catalog catalog;

    @Autowired
    public VerifyCommand(RepositorySession session, Interaction interaction, Operations operations, Catalog catalog) {
        this.session = session;
        this.interaction = interaction;
        this.operations = operations;
        this.catalog = catalog;
    }

    /** Without a catalog: the run is recorded in memory only and no alert is sent. */
    public VerifyCommand(RepositorySession session, Interaction interaction) {
        this(session, interaction, null, new InMemoryCatalog());
    }

    @Command(command = "verify", description = "Check the repository; --read-data reads and authenticates every byte")
    public String verify(
            @Option(longNames = "snapshot", description = "only this snapshot (id or unique prefix)")
            @OptionValues(provider = "snapshotIds") String snapshot,
            @Option(longNames = "read-data", description = "read, decrypt and hash every byte") boolean readData,
            @Option(longNames = "repository", description = "check this copy (a name under copies:) instead of the primary")
            String copy,
            @Option(longNames = "locks", description = "check instead that Object Lock retention covers every object"
                    + " the kept snapshots need until their planned expiry") boolean locks,
            @Option(longNames = "json", description = "print one JSON document") boolean json) throws IOException {
        if (locks) {
            return locks(json);
        }
        return verify(snapshot, readData, copy, json);
    }

    public String verify(String snapshot, boolean readData, String copy, boolean json) throws IOException {
        Repository repository = copy == null ? session.repository() : session.openCopy(copy);
        VerifyReport report;
        try (TerminalProgress progress = interaction.progress("verify", "files")) {
            Recorded<VerifyReport> recorded = OpsCommands.runner(operations).verify(new VerifyService(repository),
                    new VerifyRequest(snapshot, readData), copy == null ? "primary" : copy, progress);
            OpsCommands.warn(interaction, recorded.warnings());
            report = recorded.result();
        } finally {
            if (copy != null) {
                repository.close();
            }
        }
        String rendered = json ? Json.render(View.of(report)) : render(report);
        if (report.ok()) {
            return rendered;
        }
        interaction.out().println(rendered);
        interaction.out().flush();
        throw new RkException(ErrorCode.PROBLEMS_FOUND, "verification of '" + repository.storage().location()
                + "' found " + RepositoryCommands.plural(report.errors(), "error")
                + "; the report lists what each one affects");
    }

    private String locks(boolean json) throws IOException {
        Repository repository = session.repository();
        LockAuditReport report = new LockAuditService(repository, catalog, Clock.systemUTC())
                .audit(session.config().retention().toPolicy(), ZoneId.systemDefault());
        String rendered = json ? Json.render(report) : render(report);
        if (report.ok()) {
            return rendered;
        }
        interaction.out().println(rendered);
        interaction.out().flush();
        throw new RkException(ErrorCode.PROBLEMS_FOUND, report.supported()
                ? report.shortfalls().size() + " objects of repository '" + repository.storage().location()
                + "' are not locked as long as the kept snapshots need them; raise repository.s3.object-lock.days"
                : "repository '" + repository.storage().location() + "' keeps no object under retention;"
                + " configure repository.s3.object-lock on a bucket with Object Lock enabled");
    }

    static String render(LockAuditReport r) {
        if (!r.supported()) {
            return "no Object Lock: the storage holds no object under retention";
        }
        StringBuilder out = new StringBuilder("checked ").append(RepositoryCommands.plural(r.objects(), "object"))
                .append(" of ").append(RepositoryCommands.plural(r.snapshots(), "kept snapshot"));
        if (r.shortfalls().isEmpty()) {
            return out.append(": every one is locked until its snapshots' planned expiry").toString();
        }
        Table table = new Table("OBJECT", "LOCKED UNTIL", "NEEDED UNTIL", "SNAPSHOTS");
        for (LockAuditReport.Shortfall f : r.shortfalls()) {
            table.row(f.object(), f.lockedUntil() == null ? "not locked" : Times.local(f.lockedUntil()),
                    Times.local(f.needed()), String.join(",", f.snapshots()));
        }
        return out.append(": ").append(r.shortfalls().size()).append(" short\n").append(table.render().stripTrailing())
                .toString();
    }

    static String render(VerifyReport r) {
        StringBuilder out = new StringBuilder("verified ").append(RepositoryCommands.plural(r.snapshots(), "snapshot"))
                .append(", ").append(RepositoryCommands.plural(r.files(), "file"));
        if (r.packs() > 0) {
            out.append(", ").append(RepositoryCommands.plural(r.packs(), "pack"));
        }
        out.append(", ").append(RepositoryCommands.plural(r.blobs(), "blob"));
        if (r.readData()) {
            out.append("; ").append(Sizes.bytes(r.bytesRead())).append(" read and authenticated");
        }
        out.append(" in ").append(Sizes.millis(r.durationMs())).append('\n');
        if (r.problems().isEmpty()) {
            return out.append("no problems found").toString();
        }
        out.append(RepositoryCommands.plural(r.errors(), "error")).append(", ")
                .append(RepositoryCommands.plural(r.warnings(), "warning")).append(":\n");
        for (VerifyReport.Problem p : r.problems()) {
            out.append(p.severity()).append("  ").append(p.object()).append(": ").append(p.message()).append('\n');
            if (!p.snapshots().isEmpty()) {
                out.append("    snapshots: ").append(String.join(", ",
                        p.snapshots().stream().map(s -> s.substring(0, Math.min(8, s.length()))).toList())).append('\n');
            }
            for (String f : p.files()) {
                out.append("    file: ").append(f).append('\n');
            }
            if (p.moreFiles() > 0) {
                out.append("    and ").append(RepositoryCommands.plural(p.moreFiles(), "more file")).append('\n');
            }
        }
        return out.toString().stripTrailing();
    }

    /** {@code verify --json}: the report with its verdict. */
    record View(boolean ok, long errors, long warnings, boolean readData, int snapshots, long files, int packs,
                long blobs, long bytesRead, long durationMs, List<VerifyReport.Problem> problems) {
        static View of(VerifyReport r) {
            return new View(r.ok(), r.errors(), r.warnings(), r.readData(), r.snapshots(), r.files(), r.packs(),
                    r.blobs(), r.bytesRead(), r.durationMs(), r.problems());
        }
    }
}
