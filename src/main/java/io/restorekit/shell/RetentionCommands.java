package io.restorekit.shell;

import io.restorekit.catalog.Catalog;
import io.restorekit.common.BadInputException;
import io.restorekit.common.Sizes;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.RkConfig;
import io.restorekit.repository.PruneReport;
import io.restorekit.retention.ForgetRequest;
import io.restorekit.retention.ForgetResult;
import io.restorekit.retention.ForgetService;
import io.restorekit.retention.PruneRequest;
import io.restorekit.retention.PruneResult;
import io.restorekit.retention.PruneService;
import io.restorekit.retention.RetentionPlan;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code forget} and {@code prune}: the retention policy, and the space it frees. */
@Command
public class RetentionCommands {
    private static final Pattern GRACE = Pattern.compile("(\\d+)\\s*(s|m|h|d)");

    private final RepositorySession session;
    private final Interaction interaction;
    private final Catalog catalog;

    public RetentionCommands(RepositorySession session, Interaction interaction, Catalog catalog) {
        this.session = session;
        this.interaction = interaction;
        this.catalog = catalog;
    }

    @Command(command = "forget", description = "Apply the retention policy: which snapshots go, and why")
    public String forget(
            @Option(longNames = "dry-run", description = "show the decisions, remove nothing") boolean dryRun,
            @Option(longNames = "json", description = "print one JSON document") boolean json) throws IOException {
        RkConfig config = session.config();
        if (config.retention().keepsAll()) {
            throw new BadInputException("no retention rule is configured in " + config.file()
                    + ", so forget would keep every snapshot; add keep-last, daily, weekly, ... under 'retention:'");
        }
        ForgetResult result;
        try (TerminalProgress progress = interaction.progress("forget", "snapshots")) {
            result = new ForgetService(session.repository(), catalog, Clock.systemUTC()).forget(
                    new ForgetRequest(config.retention().toPolicy(), dryRun, ZoneId.systemDefault()), progress);
            result.warnings().forEach(progress::warn);
        }
        return json ? Json.render(result) : render(result);
    }

    @Command(command = "prune", description = "Delete data no snapshot needs any more; repack mostly unused packs")
    public String prune(
            @Option(longNames = "dry-run", description = "report what would be deleted, delete nothing") boolean dryRun,
            @Option(longNames = "grace", description = "delete packs marked at least this long ago (default from"
                    + " retention.prune-grace, 1h); 0 deletes at once") String grace,
            @Option(longNames = "json", description = "print one JSON document") boolean json) throws IOException {
        RkConfig.Retention retention = session.config().retention();
        Duration g = grace == null ? retention.pruneGrace() : grace(grace);
        PruneResult result;
        try (TerminalProgress progress = interaction.progress("prune", "items")) {
            result = new PruneService(session.repository(), catalog, Clock.systemUTC()).prune(
                    new PruneRequest(dryRun, retention.repackThreshold() / 100.0, g), progress);
            result.report().warnings().forEach(progress::warn);
        }
        return json ? Json.render(result) : render(result);
    }

    static Duration grace(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = GRACE.matcher(t);
        if (!m.matches()) {
            throw new BadInputException("--grace: expected a duration such as 0, 30m, 1h or 2d, got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    static String render(ForgetResult r) {
        Table table = new Table("ID", "SOURCE", "TIME", "DECISION", "POLICY", "WHY");
        for (RetentionPlan.Decision d : r.plan().decisions()) {
            table.row(d.snapshot().shortId(), d.snapshot().source(), Times.local(d.snapshot().time()),
                    d.keep() ? "keep" : "remove", d.policy(), d.keep() ? String.join(", ", d.reasons()) : "no rule keeps it");
        }
        int kept = r.plan().kept().size();
        int going = r.plan().removed().size();
        String summary = r.dryRun()
                ? "dry run: would keep " + RepositoryCommands.plural(kept, "snapshot") + " and remove " + going
                : "kept " + RepositoryCommands.plural(kept, "snapshot") + ", removed " + r.removed()
                + (r.locked() > 0 ? " (" + r.locked() + " still under Object Lock)" : "")
                + "; run 'rk prune' to free their space";
        return (r.plan().decisions().isEmpty() ? "no snapshots" : table.render().stripTrailing()) + "\n" + summary;
    }

    static String render(PruneResult r) {
        PruneReport p = r.report();
        StringBuilder out = new StringBuilder();
        out.append(p.dryRun() ? "dry run: " : "").append(RepositoryCommands.plural(p.packs(), "pack")).append(", ")
                .append(Sizes.bytes(p.packBytes())).append("; ").append(p.usedBlobs()).append(" blobs used by ")
                .append(RepositoryCommands.plural(r.snapshots(), "snapshot")).append(", ").append(p.unusedBlobs())
                .append(" unused\n");
        String verb = p.dryRun() ? "would be " : "";
        out.append("deleted: ").append(verb).append(RepositoryCommands.plural(p.deletedPacks(), "pack")).append(" (")
                .append(Sizes.bytes(p.deletedBytes())).append(")\n");
        out.append("repacked: ").append(verb).append(RepositoryCommands.plural(p.repackedPacks(), "pack"))
                .append(" (").append(Sizes.bytes(p.repackedBytes())).append(" copied)\n");
        out.append("marked for deletion: ").append(verb).append(RepositoryCommands.plural(p.markedPacks(), "pack"))
                .append(" (").append(Sizes.bytes(p.markedBytes())).append(")");
        if (p.nextDeletion() != null) {
            out.append("; a prune after ").append(Times.local(p.nextDeletion())).append(" deletes them");
        }
        out.append('\n');
        if (p.rescuedPacks() > 0) {
            out.append("indexed again: ").append(RepositoryCommands.plural(p.rescuedPacks(), "pack"))
                    .append(" a newer snapshot needs\n");
        }
        if (p.lockedPacks() > 0) {
            out.append("under Object Lock, left in place: ").append(RepositoryCommands.plural(p.lockedPacks(), "pack"))
                    .append('\n');
        }
        out.append("size: ").append(Sizes.bytes(p.packBytes())).append(" -> ").append(Sizes.bytes(p.bytesAfter()))
                .append(" (").append(Sizes.bytes(Math.max(0, p.reclaimedBytes()))).append(p.dryRun() ? " would be" : "")
                .append(" reclaimed) in ").append(Sizes.millis(r.durationMs()));
        return out.toString();
    }
}
