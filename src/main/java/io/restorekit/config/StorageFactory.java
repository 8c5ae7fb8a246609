package io.restorekit.config;

import io.restorekit.common.BadInputException;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.storage.Storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;

/** Picks the storage backend for a configured repository URL. The only place that knows the backends. */
public final class StorageFactory {
    private static final String LOCAL = "io.restorekit.storage.local.LocalStorage";

    /** Opens the storage of an existing repository. */
    public Storage open(RepositoryConfig repository, Path baseDir) throws IOException {
        return local(localPath(repository, baseDir), false);
    }

    /** Creates the storage location for a new repository ({@code init}). */
    public Storage create(RepositoryConfig repository, Path baseDir) throws IOException {
        return local(localPath(repository, baseDir), true);
    }

    /**
     * The folder of a local repository: an absolute path, a path relative to {@code baseDir} (the
     * configuration file's folder) or a {@code file:} URL. Other schemes fail with a clear message.
     */
    public static Path localPath(RepositoryConfig repository, Path baseDir) {
        String url = repository.url();
        int colon = url.indexOf("://");
        String scheme = colon > 0 ? url.substring(0, colon) : "";
        switch (scheme) {
            case "" -> {
                return baseDir.resolve(url).toAbsolutePath().normalize();
            }
            case "file" -> {
                return Path.of(java.net.URI.create(url)).toAbsolutePath().normalize();
            }
            case "s3", "sftp" -> throw new RkException(ErrorCode.FAILED, "repository '" + repository.name() + "' ("
                    + url + "): " + scheme + " storage is not supported yet; use a local path or a mounted drive");
            default -> throw new BadInputException("repository '" + repository.name() + "': unknown storage '"
                    + url + "'; expected a local path, s3://bucket/prefix or sftp://user@host/path");
        }
    }

    // The local backend is constructed reflectively so that this layer builds before
    // storage/local does; both entry points are fixed by its API: new LocalStorage(root)
    // opens, LocalStorage.create(root) creates.
    private static Storage local(Path root, boolean create) throws IOException {
        try {
            Class<?> type = Class.forName(LOCAL);
            Object storage = create ? type.getMethod("create", Path.class).invoke(null, root)
                    : type.getConstructor(Path.class).newInstance(root);
            return (Storage) storage;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new UncheckedIOException(new IOException(cause));
        } catch (ReflectiveOperationException e) {
            throw new RkException(ErrorCode.FAILED, "local storage is not available in this build (" + LOCAL + ")");
        }
    }
}
