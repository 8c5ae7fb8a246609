package io.restorekit.shell;

import io.restorekit.catalog.Catalog;
import io.restorekit.common.RkException;
import io.restorekit.config.RepositorySession;
import io.restorekit.repository.LockInfo;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.repository.Snapshot;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;
import org.springframework.shell.command.annotation.OptionValues;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/** {@code init}, {@code snapshots}, {@code unlock}: the repository as a whole. */
@Command
public class RepositoryCommands {
    private final RepositorySession session;
    private final Catalog catalog;

    public RepositoryCommands(RepositorySession session, Catalog catalog) {
        this.session = session;
        this.catalog = catalog;
    }

    @Command(command = "init", description = "Create the repository configured in restorekit.yml")
    public String init() throws IOException {
        Repository repository = session.init(RepositoryOptions.defaults());
        String created = "created repository " + repository.id().substring(0, 8) + " at "
                + repository.storage().location();
        // The catalog is created (or migrated) here rather than by the first backup, which would
        // otherwise pay for it on a schedule's first run. The repository is made either way.
        try {
            catalog.prepare();
        } catch (RkException e) {
            return created + "\nwarning: " + e.getMessage()
                    + "; the first command that records a run opens it again";
        }
        return created;
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
            table.row(s.shortId(), s.source(), Times.local(s.time()),
                    sum == null ? "" : Table.bytes(sum.bytes()), sum == null ? "" : (Object) sum.files(),
                    String.join(",", s.tags()));
        }
        return table.render().stripTrailing();
    }

    @Command(command = "unlock", description = "Remove locks left by rk processes that are gone")
    public String unlock(@Option(longNames = "all", description = "remove every lock; only when no other rk process runs")
                         boolean all,
                         @Option(longNames = "json", description = "print one JSON document") boolean json)
            throws IOException {
        Repository repository = session.repository();
        if (all) {
            int removed = repository.removeAllLocks();
            return json ? Json.render(java.util.Map.of("removed", removed)) : "removed " + plural(removed, "lock");
        }
        Instant now = Instant.now();
        List<LockInfo> removed = repository.unlockStale();
        // Temporary files and unfinished uploads of saves killed more than a day ago: no live save is that slow.
        int leftovers = repository.storage().cleanup(now.minus(java.time.Duration.ofDays(1)));
        List<LockInfo> live = repository.locks().stream().filter(l -> !l.stale()).toList();
        if (json) {
            return Json.render(new UnlockView(removed.stream().map(l -> LockView.of(l, now)).toList(),
                    live.stream().map(l -> LockView.of(l, now)).toList()));
        }
        StringBuilder out = new StringBuilder("removed " + plural(removed.size(), "stale lock"));
        if (leftovers > 0) {
            out.append(" and ").append(plural(leftovers, "leftover")).append(" of interrupted saves");
        }
        if (!live.isEmpty()) {
            out.append("; ").append(plural(live.size(), "lock")).append(" of running processes kept:\n");
            out.append(lockTable(live, now)).append("\nif those processes are gone (another host, say),"
                    + " run 'rk unlock --all'");
        }
        if (!removed.isEmpty()) {
            out.append(live.isEmpty() ? ":\n" : "\nstale locks removed:\n").append(lockTable(removed, now));
        }
        return out.toString();
    }

    /** Unlock for callers without options: stale locks only, as text. */
    public String unlock(boolean all) throws IOException {
        return unlock(all, false);
    }

    private static String lockTable(List<LockInfo> locks, Instant now) {
        Table table = new Table("OPERATION", "SOURCES", "HOST", "PID", "USER", "SINCE", "AGE");
        locks.forEach(l -> table.row(l.operation() + (l.exclusive() ? " (exclusive)" : ""),
                String.join(",", l.sources()), l.host(), l.pid(), l.user(), Times.local(l.time()),
                io.restorekit.common.Sizes.millis(java.time.Duration.between(l.time(), now).toMillis())));
        return table.render().stripTrailing();
    }

    /** {@code unlock --json}: the stale locks removed and the live ones kept. */
    record UnlockView(List<LockView> removed, List<LockView> live) {
    }

    record LockView(String id, String operation, boolean exclusive, List<String> sources, String host, long pid,
                    String user, Instant time, long ageSeconds, boolean stale) {
        static LockView of(LockInfo l, Instant now) {
            return new LockView(l.id(), l.operation(), l.exclusive(), l.sources(), l.host(), l.pid(), l.user(),
                    l.time(), java.time.Duration.between(l.time(), now).toSeconds(), l.stale());
        }
    }

    static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
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
