package io.restorekit.config;

import io.restorekit.common.BadInputException;
import io.restorekit.common.RkException;
import io.restorekit.storage.Storage;
import io.restorekit.storage.decorator.RetryingStorage;
import io.restorekit.storage.local.LocalStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StorageFactoryTest {
    private static RepositoryConfig repo(String url) {
        return new RepositoryConfig("primary", url, null, null);
    }

    @Test
    void localPathsAreResolvedAgainstTheConfigFolder() {
        Path base = Path.of("/etc/rk");
        assertThat(StorageFactory.localPath(repo("backups"), base)).isEqualTo(Path.of("/etc/rk/backups"));
        assertThat(StorageFactory.localPath(repo("../b"), base)).isEqualTo(Path.of("/etc/b"));
        assertThat(StorageFactory.localPath(repo("/mnt/usb/rk"), base)).isEqualTo(Path.of("/mnt/usb/rk"));
        assertThat(StorageFactory.localPath(repo("file:///mnt/usb/rk"), base)).isEqualTo(Path.of("/mnt/usb/rk"));
        assertThatThrownBy(() -> StorageFactory.localPath(repo("s3://bucket/rk"), base))
                .isInstanceOf(BadInputException.class);
    }

    @Test
    void aLocalRepositoryIsALocalStorageWithoutRetries(@TempDir Path dir) throws Exception {
        try (Storage created = new StorageFactory().create(repo("rk"), dir);
             Storage opened = new StorageFactory().open(repo("rk"), dir)) {
            assertThat(created).isInstanceOf(LocalStorage.class);
            assertThat(opened).isInstanceOf(LocalStorage.class);
            assertThat(((LocalStorage) opened).root()).isEqualTo(dir.resolve("rk"));
            assertThat(dir.resolve("rk/keys")).isDirectory();
        }
    }

    @Test
    void remoteRepositoriesAreRetried(@TempDir Path dir) throws Exception {
        RepositoryConfig s3 = new RepositoryConfig("offsite", "s3://bucket/rk/",
                new RepositoryConfig.S3("http://127.0.0.1:9", "us-east-1", true, "K", "S", "STANDARD_IA"), null);
        try (Storage storage = new StorageFactory(Map.of("K", "key", "S", "secret")).open(s3, dir)) {
            assertThat(storage).isInstanceOf(RetryingStorage.class);
            assertThat(storage.location()).isEqualTo("s3://bucket/rk");
        }
        RepositoryConfig sftp = new RepositoryConfig("nas", "sftp://rk@nas:2222/backups", null,
                new RepositoryConfig.Sftp("id_rsa", "known_hosts", null));
        try (Storage storage = new StorageFactory(Map.of()).open(sftp, dir)) {
            assertThat(storage).isInstanceOf(RetryingStorage.class);
            assertThat(storage.location()).isEqualTo("sftp://rk@nas:2222/backups");
        }
    }

    @Test
    void missingSecretsAndUnknownSchemesAreBadInput(@TempDir Path dir) {
        RepositoryConfig s3 = new RepositoryConfig("offsite", "s3://bucket/rk",
                new RepositoryConfig.S3(null, null, false, "NO_SUCH_KEY_VAR", "NO_SUCH_SECRET_VAR", null), null);
        assertThatThrownBy(() -> new StorageFactory(Map.of()).open(s3, dir))
                .isInstanceOf(BadInputException.class)
                .hasMessage("repository 'offsite': environment variable 'NO_SUCH_KEY_VAR' (s3.access-key-env) is not set;"
                        + " export it before running rk");
        RepositoryConfig half = new RepositoryConfig("offsite", "s3://bucket/rk",
                new RepositoryConfig.S3(null, null, false, "K", null, null), null);
        assertThatThrownBy(() -> new StorageFactory(Map.of("K", "k")).open(half, dir))
                .isInstanceOf(BadInputException.class).hasMessageContaining("give both");
        RepositoryConfig sftp = new RepositoryConfig("nas", "sftp://rk@nas/backups", null,
                new RepositoryConfig.Sftp(null, null, "NAS_PASSWORD"));
        assertThatThrownBy(() -> new StorageFactory(Map.of()).open(sftp, dir))
                .isInstanceOf(BadInputException.class).hasMessageContaining("'NAS_PASSWORD' (sftp.password-env)");
        assertThatThrownBy(() -> new StorageFactory().open(repo("ftp://host/rk"), dir))
                .satisfies(e -> assertThat(((RkException) e).code().exitCode()).isEqualTo(2));
    }
}
