package io.restorekit.remote;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.config.RepositoryConfig;
import io.restorekit.config.StorageFactory;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.storage.Storage;
import io.restorekit.storage.sftp.SftpStorage;
import io.restorekit.storage.sftp.SftpTestServer;
import io.restorekit.storage.sftp.SshLoginException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A repository on an in-process SFTP server, configured as a user would. */
class SftpRepositoryTest extends RemoteRepositoryContract {
    @TempDir
    static Path serverDir;
    static SftpTestServer server;
    static Path knownHosts;

    @BeforeAll
    static void startSshd() throws Exception {
        server = SftpTestServer.start(serverDir);
        knownHosts = server.writeKnownHosts(serverDir.resolve("known_hosts"));
    }

    @AfterAll
    static void stopSshd() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private RepositoryConfig config(String name, Path knownHostsFile) {
        return new RepositoryConfig("primary", server.url("/srv/" + name), null,
                new RepositoryConfig.Sftp(server.clientKey().toString(), knownHostsFile.toString(), null));
    }

    @Override
    protected Storage create(String name) throws IOException {
        return new StorageFactory(Map.of()).create(config(name, knownHosts), tmp);
    }

    @Override
    protected Storage open(String name) throws IOException {
        return new StorageFactory(Map.of()).open(config(name, knownHosts), tmp);
    }

    @Override
    protected Storage backend(String name) {
        return new SftpStorage(server.url("/srv/" + name), server.keyOptions(knownHosts));
    }

    @Override
    protected void stopServer() throws IOException {
        server.stop();
    }

    @Override
    protected void startServer() throws IOException {
        server.start();
    }

    @Test
    @DisplayName("a server whose host key is not in known_hosts is refused with exit 6 and the fingerprint to add")
    void unknownHostKeyRefused() throws IOException {
        try (Repository repository = Repository.init(create("trusted"), PASSWORD,
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20))) {
            Path source = Files.createDirectories(tmp.resolve("src"));
            Files.writeString(source.resolve("a.txt"), "a");
            BackupResult r = new BackupService(repository).backup(BackupRequest.of(
                    java.util.List.of(new io.restorekit.source.files.FilesSourceSpec("files", source,
                            java.util.List.of(), null))), ProgressListener.NONE);
            assertThat(r.succeeded()).isTrue();
        }
        Path empty = Files.writeString(tmp.resolve("empty_known_hosts"), "");
        Storage untrusted = new StorageFactory(Map.of()).open(config("trusted", empty), tmp);
        assertThatThrownBy(() -> Repository.open(untrusted, PASSWORD))
                .isInstanceOf(SshLoginException.class)
                .hasMessageContaining("is not in known-hosts file")
                .hasMessageContaining("SHA256:")
                .satisfies(e -> assertThat(((SshLoginException) e).code()).isEqualTo(ErrorCode.UNREACHABLE));
        untrusted.close();
    }
}
