package io.restorekit.config;

import io.restorekit.repository.Repository;
import io.restorekit.repository.crypto.Kdf;

import java.util.Map;
import java.util.Set;

/**
 * Opens the repository while Spring and the shell start, for one-command runs. Opening costs a
 * memory-hard key derivation and reading the index; starting the shell costs about as much on the
 * other core. Both are then paid at once instead of one after the other, which is most of the
 * start-up time of commands that cron and scripts run again and again. The key derivation's native
 * library is loaded on a third thread while the configuration is read, which comes first.
 *
 * <p>Only when the password comes from the environment (never a prompt from a background thread)
 * and the command reads the repository. A failure here is forgotten: the command opens again and
 * reports the error as usual.
 */
public final class EarlyOpen {
    private static final Set<String> COMMANDS = Set.of("backup", "restore", "snapshots", "ls", "versions", "verify",
            "key", "unlock", "index");
    /** Commands that list the snapshots first thing (a backup: to find its parent); read here once opened. */
    private static final Set<String> LISTING = Set.of("backup", "restore", "snapshots", "ls", "versions");
    private static volatile RepositorySession session;

    private EarlyOpen() {
    }

    /** Starts opening when {@code command} reads the repository and the password needs no prompt. */
    public static void start(String command, Map<String, String> env) {
        if (command == null || !COMMANDS.contains(command)) {
            return;
        }
        if (isBlank(env.get("RK_PASSWORD")) && isBlank(env.get("RK_PASSWORD_FILE"))) {
            return;
        }
        RepositorySession early = new RepositorySession(ConfigLoader.fromEnvironment(), new StorageFactory(),
                PasswordProvider.fromEnvironment());
        session = early;
        Thread kdf = new Thread(Kdf::prepare, "rk-early-kdf");
        kdf.setDaemon(true);
        kdf.start();
        Thread opener = new Thread(() -> {
            try {
                Repository repository = early.repository();
                if (LISTING.contains(command)) {
                    // While the command takes its lock and records its start: the manifests it reads
                    // next are then parsed (each process keeps them), only the folder is listed again.
                    repository.snapshots();
                }
            } catch (Exception | LinkageError ignored) {
                // the command opens again and reports it
            }
        }, "rk-early-open");
        opener.setDaemon(true);
        opener.start();
    }

    /** The session opened early (once), or else a new one: what a one-command run uses. */
    public static RepositorySession session(ConfigLoader loader, StorageFactory storages, PasswordProvider passwords) {
        RepositorySession early = take();
        return early != null ? early : new RepositorySession(loader, storages, passwords);
    }

    /** The session opened early, once; null when none was started. */
    static RepositorySession take() {
        RepositorySession s = session;
        session = null;
        return s;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
