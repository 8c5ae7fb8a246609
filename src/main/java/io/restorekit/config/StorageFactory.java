package io.restorekit.config;

import io.restorekit.common.BadInputException;
import io.restorekit.repository.crypto.Sha256;
import io.restorekit.storage.Storage;
import io.restorekit.storage.decorator.IndexCachingStorage;
import io.restorekit.storage.decorator.RetryingStorage;
import io.restorekit.storage.local.LocalStorage;
import io.restorekit.storage.s3.S3Options;
import io.restorekit.storage.s3.S3Storage;
import io.restorekit.storage.sftp.SftpOptions;
import io.restorekit.storage.sftp.SftpStorage;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Picks the storage backend for a configured repository URL. The only place that knows the
 * backends. Remote backends (S3, SFTP) are wrapped in a {@link RetryingStorage}; a local folder is
 * not (its failures are not transient). Secrets named by {@code access-key-env},
 * {@code secret-key-env} and {@code password-env} are read from the environment here.
 */
public final class StorageFactory {
    private final Map<String, String> env;

    /** Over this process's environment. */
    public StorageFactory() {
        this(System.getenv());
    }

    public StorageFactory(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** Opens the storage of an existing repository. */
    public Storage open(RepositoryConfig repository, Path baseDir) throws IOException {
        if (isLocal(repository)) {
            return new LocalStorage(localPath(repository, baseDir));
        }
        return new RetryingStorage(remote(repository, baseDir));
    }

    /** Where the repository is, as the operator is told before anything is opened or created. */
    public String location(RepositoryConfig repository, Path baseDir) {
        return isLocal(repository) ? localPath(repository, baseDir).toString() : repository.url();
    }

    /**
     * Creates the storage location for a new repository ({@code init}): the folders of a local or
     * SFTP repository. An S3 bucket must exist already.
     */
    public Storage create(RepositoryConfig repository, Path baseDir) throws IOException {
        if (isLocal(repository)) {
            return LocalStorage.create(localPath(repository, baseDir));
        }
        Storage remote = remote(repository, baseDir);
        try {
            if (remote instanceof SftpStorage sftp) {
                sftp.createFolders();
            }
        } catch (IOException | RuntimeException e) {
            remote.close();
            throw e;
        }
        return new RetryingStorage(remote);
    }

    /**
     * The folder of a local repository: an absolute path, a path relative to {@code baseDir} (the
     * configuration file's folder) or a {@code file:} URL. Other schemes fail with a clear message.
     */
    public static Path localPath(RepositoryConfig repository, Path baseDir) {
        return switch (scheme(repository)) {
            case "" -> baseDir.resolve(repository.url()).toAbsolutePath().normalize();
            case "file" -> Path.of(URI.create(repository.url())).toAbsolutePath().normalize();
            default -> throw new BadInputException("repository '" + repository.name() + "' (" + repository.url()
                    + ") is not a local folder");
        };
    }

    /**
     * {@code storage} keeping local copies of its index files in {@code cacheDir} when it is remote
     * ({@link IndexCachingStorage}: opening a repository on S3 or SFTP then requests only the index
     * files this host has not read); a local repository's storage as it is.
     */
    public static Storage withIndexCopies(Storage storage, RepositoryConfig repository, Path cacheDir) {
        if (cacheDir == null || isLocal(repository)) {
            return storage;
        }
        String location = Sha256.hex(storage.location().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        return new IndexCachingStorage(storage, cacheDir.resolve("remote-index").resolve(location));
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

    private Storage remote(RepositoryConfig repository, Path baseDir) {
        try {
            return switch (scheme(repository)) {
                case "s3" -> new S3Storage(repository.url(), s3Options(repository));
                case "sftp" -> new SftpStorage(repository.url(), sftpOptions(repository, baseDir));
                default -> throw new BadInputException("repository '" + repository.name() + "': unknown storage '"
                        + repository.url() + "'; expected a local path, s3://bucket/prefix or sftp://user@host/path");
            };
        } catch (IllegalArgumentException e) {
            throw new BadInputException("repository '" + repository.name() + "' (" + repository.url() + "): "
                    + e.getMessage());
        }
    }

    private S3Options s3Options(RepositoryConfig repository) {
        RepositoryConfig.S3 s3 = repository.s3() != null ? repository.s3()
                : new RepositoryConfig.S3(null, null, false, null, null, null);
        if ((s3.accessKeyEnv() == null) != (s3.secretKeyEnv() == null)) {
            throw new BadInputException("repository '" + repository.name() + "': give both s3.access-key-env and"
                    + " s3.secret-key-env, or neither to use the AWS default credentials");
        }
        String accessKey = s3.accessKeyEnv() == null ? null : secret(repository, "s3.access-key-env", s3.accessKeyEnv());
        String secretKey = s3.secretKeyEnv() == null ? null : secret(repository, "s3.secret-key-env", s3.secretKeyEnv());
        RepositoryConfig.ObjectLock lock = s3.objectLock();
        return new S3Options(s3.endpoint() == null ? null : URI.create(s3.endpoint()), s3.region(), s3.pathStyle(),
                accessKey, secretKey, s3.storageClass(), lock == null ? null : lock.mode(), lock == null ? 0 : lock.days());
    }

    private SftpOptions sftpOptions(RepositoryConfig repository, Path baseDir) {
        RepositoryConfig.Sftp sftp = repository.sftp() != null ? repository.sftp()
                : new RepositoryConfig.Sftp(null, null, null);
        String password = sftp.passwordEnv() == null ? null : secret(repository, "sftp.password-env", sftp.passwordEnv());
        return new SftpOptions(sftp.identityFile() == null ? null : baseDir.resolve(sftp.identityFile()),
                password, sftp.knownHosts() == null ? null : baseDir.resolve(sftp.knownHosts()));
    }

    private String secret(RepositoryConfig repository, String key, String variable) {
        String value = env.get(variable);
        if (value == null || value.isEmpty()) {
            throw new BadInputException("repository '" + repository.name() + "': environment variable '" + variable
                    + "' (" + key + ") is not set; export it before running rk");
        }
        return value;
    }
}
