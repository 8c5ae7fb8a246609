package io.restorekit.config;

import io.restorekit.common.BadInputException;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.storage.Storage;
import io.restorekit.storage.decorator.RetryingStorage;
import io.restorekit.storage.local.LocalStorage;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * Picks the storage backend for a configured repository URL. The only place that knows the
 * backends. Remote backends are wrapped in a {@link RetryingStorage}; a local folder is not (its
 * failures are not transient).
 */
public final class StorageFactory {

    /** Opens the storage of an existing repository. */
    public Storage open(RepositoryConfig repository, Path baseDir) throws IOException {
        if (isLocal(repository)) {
            return new LocalStorage(localPath(repository, baseDir));
        }
        return new RetryingStorage(remote(repository));
    }

    /** Creates the storage location for a new repository ({@code init}). */
    public Storage create(RepositoryConfig repository, Path baseDir) throws IOException {
        if (isLocal(repository)) {
            return LocalStorage.create(localPath(repository, baseDir));
        }
        return new RetryingStorage(remote(repository));
    }

    /**
     * The folder of a local repository: an absolute path, a path relative to {@code baseDir} (the
     * configuration file's folder) or a {@code file:} URL. Other schemes fail with a clear message.
     */
    public static Path localPath(RepositoryConfig repository, Path baseDir) {
        return switch (scheme(repository)) {
            case "" -> baseDir.resolve(repository.url()).toAbsolutePath().normalize();
            case "file" -> Path.of(URI.create(repository.url())).toAbsolutePath().normalize();
            default -> throw unsupported(repository);
        };
    }

    private static boolean isLocal(RepositoryConfig repository) {
        String scheme = scheme(repository);
        return scheme.isEmpty() || scheme.equals("file");
    }

    private static String scheme(RepositoryConfig repository) {
        String url = repository.url();
        int colon = url.indexOf("://");
        return colon > 0 ? url.substring(0, colon) : "";
    }

    /** The backend of a remote repository; none is built in yet. */
    private static Storage remote(RepositoryConfig repository) {
        throw unsupported(repository);
    }

    private static RkException unsupported(RepositoryConfig repository) {
        String url = repository.url();
        String scheme = scheme(repository);
        if (scheme.equals("s3") || scheme.equals("sftp")) {
            return new RkException(ErrorCode.FAILED, "repository '" + repository.name() + "' (" + url + "): "
                    + scheme + " storage is not supported yet; use a local path or a mounted drive");
        }
        return new BadInputException("repository '" + repository.name() + "': unknown storage '" + url
                + "'; expected a local path, s3://bucket/prefix or sftp://user@host/path");
    }
}
