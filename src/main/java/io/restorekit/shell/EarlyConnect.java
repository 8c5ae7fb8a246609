package io.restorekit.shell;

import io.restorekit.config.RepositorySession;
import io.restorekit.config.RkConfig;
import io.restorekit.restore.DatabaseRestoreService;
import io.restorekit.source.DatabaseSpec;
import io.restorekit.source.SourceSpec;
import io.restorekit.source.mysql.MySqlBackup;
import io.restorekit.source.mysql.MySqlSourceSpec;
import io.restorekit.source.postgres.PgConnect;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Starts logging in to the database of a one-command in-place tenant or module restore as soon as
 * the configuration is read, while the JVM is still starting the command and the repository opens:
 * the server's new sessions (a SCRAM key derivation each, and with a cold cache the server's own
 * catalogs read from disk) are ready by the time the restore needs them. The restore takes them
 * ({@link #take}); a command that never gets there leaves them to the end of the process.
 *
 * <p>The same for a one-command backup whose first source is a MySQL or MariaDB database: its
 * connections, consistent snapshots and schema queries ({@link MySqlBackup.Opening}), taken by the
 * backup ({@link #takeBackup}).
 */
final class EarlyConnect {
    private static volatile CompletableFuture<PgConnect> pending;
    private static volatile String pendingSource;
    private static volatile MySqlBackup.Opening pendingBackup;
    private static volatile String pendingBackupSource;

    private EarlyConnect() {
    }

    /** Starts, on a daemon thread, when {@code args} are {@code restore ... --source NAME --in-place} with a scope. */
    static void start(List<String> args, RepositorySession session) {
        if (!args.isEmpty() && args.get(0).equals("backup")) {
            startBackup(args, session);
            return;
        }
        if (args.isEmpty() || !args.get(0).equals("restore") || !args.contains("--in-place")
                || !(args.contains("--tenant") || args.contains("--module")) || args.contains("--target")) {
            return;
        }
        int at = args.indexOf("--source");
        if (at < 0 || at + 1 >= args.size()) {
            return;
        }
        String name = args.get(at + 1);
        CompletableFuture<PgConnect> f = new CompletableFuture<>();
        pending = f;
        pendingSource = name;
        Thread t = new Thread(() -> {
            try {
                SourceSpec spec = session.config().source(name);
                f.complete(spec instanceof DatabaseSpec db ? DatabaseRestoreService.connectAhead(db, true) : null);
            } catch (RuntimeException | LinkageError e) {
                // the command reads the configuration again and reports what is wrong
                f.complete(null);
            }
        }, "rk-early-connect");
        t.setDaemon(true);
        t.start();
    }

    /**
     * For {@code backup [--source NAME ...]}: opens the first source's connections when it is a
     * MySQL one (the first named, else the first configured, as the backup takes them).
     */
    private static void startBackup(List<String> args, RepositorySession session) {
        int at = args.indexOf("--source");
        String named = at >= 0 && at + 1 < args.size() && !args.get(at + 1).startsWith("--") ? args.get(at + 1)
                : null;
        if (at >= 0 && named == null) {
            return;
        }
        try {
            RkConfig config = session.config();
            SourceSpec first = named != null ? config.source(named)
                    : config.sources().isEmpty() ? null : config.sources().get(0);
            if (first instanceof MySqlSourceSpec mysql) {
                pendingBackupSource = mysql.name();
                pendingBackup = MySqlBackup.Opening.start(mysql);
            }
        } catch (RuntimeException e) {
            // the command reads the configuration again and reports what is wrong
        }
    }

    /** The connections opened ahead for a backup of {@code source} (once), or null. */
    static MySqlBackup.Opening takeBackup(String source) {
        MySqlBackup.Opening o = pendingBackup;
        if (o == null || !source.equals(pendingBackupSource)) {
            return null;
        }
        pendingBackup = null;
        return o;
    }

    /** The connections started for {@code source} (once), or null. */
    static PgConnect take(String source) {
        CompletableFuture<PgConnect> f = pending;
        if (f == null || !source.equals(pendingSource)) {
            return null;
        }
        pending = null;
        return f.join();
    }
}
