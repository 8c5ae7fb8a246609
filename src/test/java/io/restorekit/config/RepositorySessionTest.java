package io.restorekit.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RepositorySessionTest {
    /** A session of the configuration {@code file}, with no password to be had. */
    private static RepositorySession session(Path file, Path dir) {
        return new RepositorySession(new ConfigLoader(Map.of("RK_CONFIG", file.toString()), dir), new StorageFactory(),
                new PasswordProvider(Map.of(), p -> null), (storage, password) -> null);
    }

    @Test
    void readsTheConfigurationOnceAndAgainWhenItChanges(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("restorekit.yml");
        Files.writeString(file, "repository: {url: b}\n");
        RepositorySession session = session(file, dir);
        RkConfig first = session.config();
        assertThat(session.config()).isSameAs(first);

        Files.writeString(file, "repository: {url: b}\nsources: [{name: a, type: files, path: a}]\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(session.config().sources()).hasSize(1);
        assertThat(session.isOpen()).isFalse();
    }

    @Test
    void anInitWithoutANewPasswordCreatesNothing(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("restorekit.yml");
        Files.writeString(file, "repository: {url: new-repo}\n");
        RepositorySession session = session(file, dir);
        assertThatThrownBy(() -> session.init(new io.restorekit.repository.RepositoryOptions(
                io.restorekit.repository.RepositoryOptions.KdfParams.cheap(), 1 << 20)))
                .isInstanceOf(io.restorekit.common.RkException.class)
                .hasMessage("no new password for the new repository at " + dir.resolve("new-repo")
                        + ": set RK_NEW_PASSWORD or run this command in a terminal");
        assertThat(dir.resolve("new-repo")).doesNotExist();
        assertThat(session.isOpen()).isFalse();
    }
}
