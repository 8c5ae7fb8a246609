package io.restorekit.config;

import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.storage.Storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;

/**
 * The configuration and the open primary repository of one rk process. The interactive shell
 * keeps both for the whole session, so only the first command pays for reading the config,
 * deriving the key from the password and loading the index; a changed configuration file is
 * read again (and the repository reopened) before the next command. Thread-safe.
 */
public class RepositorySession implements Closeable {
    /** How a repository is opened; {@link Repository#open} outside tests. */
    @FunctionalInterface
    public interface Opener {
        Repository open(Storage storage, char[] password) throws IOException;
    }

    private final ConfigLoader loader;
    private final StorageFactory storages;
    private final PasswordProvider passwords;
    private final Opener opener;

    private final Object configLock = new Object();
    private RkConfig config;
    private FileTime configModified;
    private Repository repository;

    public RepositorySession(ConfigLoader loader, StorageFactory storages, PasswordProvider passwords, Opener opener) {
        this.loader = loader;
        this.storages = storages;
        this.passwords = passwords;
        this.opener = opener;
    }

    public RepositorySession(ConfigLoader loader, StorageFactory storages, PasswordProvider passwords) {
        this(loader, storages, passwords, Repository::open);
    }

    /**
     * The configuration, read again when its file changed since the last call. It has its own lock:
     * what needs only the configuration (the catalog, opened alongside) does not wait while the
     * repository opens (a key derivation and the index).
     */
    public RkConfig config() {
        RkConfig current;
        boolean moved = false;
        synchronized (configLock) {
            Path file = loader.configFile();
            FileTime modified = modified(file);
            if (config == null || modified == null || !modified.equals(configModified)) {
                RkConfig fresh = loader.load(file);
                moved = config != null && !fresh.repository().equals(config.repository());
                config = fresh;
                configModified = modified;
            }
            current = config;
        }
        if (moved) {
            // never taken while holding configLock: repository() holds this one and then takes that
            synchronized (this) {
                closeRepository();
            }
        }
        return current;
    }

    /** Whether the configuration file exists (commands that can work without one check this first). */
    public boolean configured() {
        return Files.exists(loader.configFile());
    }

    /** {@code RK_HOME}: where rk keeps its state (and the demo). */
    public Path home() {
        return loader.home();
    }

    public PasswordProvider passwords() {
        return passwords;
    }

    /** The primary repository, opened on first use with the configured password. */
    public synchronized Repository repository() throws IOException {
        RkConfig c = config();
        if (repository == null) {
            Storage storage = StorageFactory.withIndexCopies(storages.open(c.repository(), c.baseDir()),
                    c.repository(), loader.home().resolve("cache"));
            if (c.retention().appendOnly()) {
                storage = new io.restorekit.storage.decorator.AppendOnlyStorage(storage);
            }
            char[] password = passwords.password(storage.location());
            try {
                repository = opener.open(storage, password);
            } catch (IOException | RuntimeException e) {
                storage.close();
                throw e;
            } finally {
                Arrays.fill(password, '\0');
            }
            repository.cacheSnapshotsIn(loader.home().resolve("cache"));
        }
        return repository;
    }

    /**
     * The copy called {@code name} (under {@code copies:}), opened with the configured password; the
     * caller closes it. A copy holds the same keys as its primary, so the same password opens it.
     */
    public Repository openCopy(String name) throws IOException {
        RkConfig c = config();
        Storage storage = StorageFactory.withIndexCopies(storages.open(c.copy(name), c.baseDir()), c.copy(name),
                loader.home().resolve("cache"));
        char[] password = passwords.password(storage.location());
        try {
            return opener.open(storage, password);
        } catch (IOException | RuntimeException e) {
            storage.close();
            throw e;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** Whether the primary repository has been opened in this session. */
    public synchronized boolean isOpen() {
        return repository != null;
    }

    /** Creates the primary repository with a new password and keeps it open. */
    public synchronized Repository init(RepositoryOptions options) throws IOException {
        RkConfig c = config();
        closeRepository();
        // The password first: an init that cannot get one leaves no folder behind.
        char[] password = passwords.newPassword("the new repository at "
                + storages.location(c.repository(), c.baseDir()));
        Storage storage;
        try {
            storage = storages.create(c.repository(), c.baseDir());
        } catch (IOException | RuntimeException e) {
            Arrays.fill(password, '\0');
            throw e;
        }
        try {
            repository = Repository.init(storage, password, options);
            repository.cacheSnapshotsIn(loader.home().resolve("cache"));
        } catch (IOException | RuntimeException e) {
            storage.close();
            throw e;
        } finally {
            Arrays.fill(password, '\0');
        }
        return repository;
    }

    /** Closes the repository; the next {@link #repository()} opens it again (after {@code key passwd}, {@code unlock}). */
    public synchronized void reset() {
        closeRepository();
    }

    @Override
    public synchronized void close() {
        closeRepository();
    }

    private void closeRepository() {
        if (repository != null) {
            Repository r = repository;
            repository = null;
            try {
                r.close();
            } catch (IOException | RuntimeException ignored) {
                // Closing only releases resources; the operation's outcome is already decided.
            }
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }
}
