package io.restorekit.shell;

import io.restorekit.config.RepositorySession;
import io.restorekit.restore.DatabaseRestoreService;
import io.restorekit.source.DatabaseSpec;
import io.restorekit.source.SourceSpec;
import io.restorekit.source.postgres.PgConnect;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Starts logging in to the database of a one-command in-place tenant or module restore as soon as
 * the configuration is read, while the JVM is still starting the command and the repository opens:
 * the server's new sessions (a SCRAM key derivation each, and with a cold cache the server's own
 * catalogs read from disk) are ready by the time the restore needs them. The restore takes them
 * ({@link #take}); a command that never gets there leaves them to the end of the process.
 */
final class EarlyConnect {
    private static volatile CompletableFuture<PgConnect> pending;
    private static volatile String pendingSource;

    private EarlyConnect() {
    }

    /** Starts, on a daemon thread, when {@code args} are {@code restore ... --source NAME --in-place} with a scope. */
    static void start(List<String> args, RepositorySession session) {
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
