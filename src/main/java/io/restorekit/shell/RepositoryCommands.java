package io.restorekit.shell;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.config.RepositoryKeys;
import io.restorekit.config.RepositorySession;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.repository.Snapshot;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;
import org.springframework.shell.command.annotation.OptionValues;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** {@code init}, {@code snapshots}, {@code unlock}: the repository as a whole. */
@Command
public class RepositoryCommands {
    static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private final RepositorySession session;

    public RepositoryCommands(RepositorySession session) {
        this.session = session;
    }

    @Command(command = "init", description = "Create the repository configured in restorekit.yml")
    public String init() throws IOException {
        Repository repository = session.init(RepositoryOptions.defaults());
        return "created repository " + repository.id().substring(0, 8) + " at " + repository.storage().location();
    }

    @Command(command = "snapshots", description = "List snapshots: id, source, time, size, files, tags")
    public String snapshots(
            @Option(longNames = "source", description = "only this source") @OptionValues(provider = "sourceNames")
            String source,
            @Option(longNames = "json", description = "print one JSON document") boolean json) throws IOException {
        List<Snapshot> snapshots = session.repository().snapshots().stream()
                .filter(s -> source == null || source.equals(s.source())).toList();
        if (source != null && snapshots.isEmpty()) {
            session.config().source(source);
        }
        if (json) {
            return Json.render(snapshots.stream().map(SnapshotView::of).toList());
        }
        if (snapshots.isEmpty()) {
            return "no snapshots" + (source == null ? "" : " of source '" + source + "'");
        }
        Table table = new Table("ID", "SOURCE", "TIME", "SIZE", "FILES", "TAGS");
        for (Snapshot s : snapshots) {
            Snapshot.Summary sum = s.summary();
            table.row(s.shortId(), s.source(), s.time() == null ? "" : LOCAL_TIME.format(s.time()),
                    sum == null ? "" : Table.bytes(sum.bytes()), sum == null ? "" : (Object) sum.files(),
                    String.join(",", s.tags()));
        }
        return table.render().stripTrailing();
    }

    @Command(command = "unlock", description = "Remove locks left by rk processes that are gone")
    public String unlock(@Option(longNames = "all", description = "remove every lock; only when no other rk process runs")
                         boolean all) throws IOException {
        if (!all) {
            throw new RkException(ErrorCode.FAILED, "removing only stale locks is not available yet; if no other rk"
                    + " process works on this repository, run 'rk unlock --all'");
        }
        int removed = RepositoryKeys.removeAllLocks(session.repository().storage());
        return "removed " + removed + " lock" + (removed == 1 ? "" : "s");
    }

    /** A snapshot as {@code snapshots --json} shows it (the manifest does not carry its own id). */
    record SnapshotView(String id, String source, String kind, Instant time, String host, String user, String run,
                        List<String> tags, String parent, Snapshot.Summary summary, int warnings) {
        static SnapshotView of(Snapshot s) {
            return new SnapshotView(s.id(), s.source(), s.kind(), s.time(), s.host(), s.user(), s.run(), s.tags(),
                    s.parent(), s.summary(), s.warnings().size());
        }
    }
}
