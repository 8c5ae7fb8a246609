package io.restorekit.config;

import io.restorekit.common.RkException;
import io.restorekit.storage.Storage;
import io.restorekit.storage.local.LocalStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

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
        assertThatThrownBy(() -> new StorageFactory().open(repo("sftp://u@h/rk"), dir))
                .hasMessageContaining("sftp storage is not supported yet");
    }

    @Test
    void remoteBackendsAreNotSupportedYet() {
        assertThatThrownBy(() -> StorageFactory.localPath(repo("s3://bucket/rk"), Path.of("/")))
                .isInstanceOf(RkException.class)
                .hasMessage("repository 'primary' (s3://bucket/rk): s3 storage is not supported yet;"
                        + " use a local path or a mounted drive");
        assertThatThrownBy(() -> StorageFactory.localPath(repo("ftp://host/rk"), Path.of("/")))
                .satisfies(e -> assertThat(((RkException) e).code().exitCode()).isEqualTo(2));
    }
}
