package io.restorekit.storage.sftp;

import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;
import io.restorekit.storage.StorageContract;
import io.restorekit.storage.StorageUnavailableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SftpStorageTest extends StorageContract {
    private static final AtomicInteger FOLDERS = new AtomicInteger();

    @TempDir
    static Path serverDir;
    static SftpTestServer server;
    static Path knownHosts;

    @BeforeAll
    static void startServer() throws Exception {
        server = SftpTestServer.start(serverDir);
        knownHosts = server.writeKnownHosts(serverDir.resolve("known_hosts"));
    }

    @AfterAll
    static void stopServer() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private String folder;

    @Override
    protected Storage newStorage() throws IOException {
        folder = "/repo-" + FOLDERS.incrementAndGet();
        SftpStorage storage = new SftpStorage(server.url(folder), server.keyOptions(knownHosts));
        storage.createFolders();
        return storage;
    }

    private Path localRoot() {
        return server.root().resolve(folder.substring(1));
    }

    @Test
    @DisplayName("keeps each object as a file at its handle's path, and leaves no temporary file after a failure")
    void layout() throws IOException {
        byte[] content = bytes(4000, 2);
        Handle pack = handleFor(Kind.PACK, content);
        storage.save(pack, Payload.of(content));
        assertThat(localRoot().resolve("data").resolve(pack.name().substring(0, 2)).resolve(pack.name()))
                .hasBinaryContent(content);

        byte[] other = bytes(300_000, 3);
        assertThatThrownBy(() -> storage.save(handleFor(Kind.PACK, other), breakingAfter(other, 100_000)))
                .isInstanceOf(IOException.class);
        try (Stream<Path> files = Files.walk(localRoot())) {
            assertThat(files.filter(p -> p.getFileName().toString().startsWith(SftpStorage.TEMP_PREFIX)).toList())
                    .isEmpty();
        }
    }

    @Test
    @DisplayName("cleanup removes temporary files of killed saves older than the limit, and no object")
    void cleanupRemovesOldTemporaryFiles() throws IOException {
        byte[] content = bytes(4000, 4);
        Handle pack = handleFor(Kind.PACK, content);
        storage.save(pack, Payload.of(content));
        Path packFolder = localRoot().resolve("data").resolve(pack.name().substring(0, 2));
        Path old = Files.writeString(packFolder.resolve(SftpStorage.TEMP_PREFIX + "killed"), "half a pack");
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(7200)));
        Path fresh = Files.writeString(localRoot().resolve("snapshots").resolve(SftpStorage.TEMP_PREFIX + "running"), "x");

        assertThat(storage.cleanup(java.time.Instant.now().minusSeconds(3600))).isEqualTo(1);
        assertThat(old).doesNotExist();
        assertThat(fresh).as("a save that may still be running keeps its file").exists();
        assertThat(storage.readAll(pack)).isEqualTo(content);
    }

    @Test
    @DisplayName("logs in with a password; a wrong one is refused with SshLoginException")
    void password() throws IOException {
        try (SftpStorage withPassword = new SftpStorage(server.url(folder),
                new SftpOptions(null, SftpTestServer.PASSWORD, knownHosts))) {
            withPassword.save(new Handle(Kind.KEY, "k1"), Payload.of(bytes(10, 1)));
            assertThat(storage.readAll(new Handle(Kind.KEY, "k1"))).isEqualTo(bytes(10, 1));
        }
        try (SftpStorage wrong = new SftpStorage(server.url(folder), new SftpOptions(null, "wrong", knownHosts))) {
            assertThatThrownBy(() -> wrong.stat(Handle.config()))
                    .isInstanceOf(SshLoginException.class)
                    .hasMessageContaining("refused to let user 'rk' in");
        }
    }

    @Test
    @DisplayName("refuses an unknown host key with the line to add, which then lets it connect")
    void unknownHostKey() throws IOException {
        Path empty = tempDir.resolve("known_hosts");
        Files.writeString(empty, "");
        String line;
        try (SftpStorage untrusted = new SftpStorage(server.url(folder), server.keyOptions(empty))) {
            Throwable refused = org.junit.jupiter.api.Assertions.assertThrows(SshLoginException.class,
                    () -> untrusted.stat(Handle.config()));
            assertThat(refused.getMessage()).contains("is not in known-hosts file '" + empty + "'")
                    .contains("SHA256:");
            line = refused.getMessage().substring(refused.getMessage().indexOf("add this line to that file: ")
                    + "add this line to that file: ".length());
            assertThat(line).isEqualTo(server.knownHostsLine());
        }
        Files.writeString(empty, line + "\n");
        try (SftpStorage trusted = new SftpStorage(server.url(folder), server.keyOptions(empty))) {
            assertThat(listAll(trusted, Kind.SNAPSHOT)).isEmpty();
        }
    }

    @Test
    @DisplayName("refuses a changed host key as a possible attack")
    void changedHostKey() throws Exception {
        Path other = Files.createDirectories(tempDir.resolve("other-server"));
        String otherLine;
        try (SftpTestServer otherServer = SftpTestServer.start(other)) {
            otherLine = otherServer.knownHostsLine();
        }
        Path wrong = Files.writeString(tempDir.resolve("known_hosts"),
                "[127.0.0.1]:" + server.port() + otherLine.substring(otherLine.indexOf(' ')) + "\n");
        try (SftpStorage spoofed = new SftpStorage(server.url(folder), server.keyOptions(wrong))) {
            assertThatThrownBy(() -> spoofed.stat(Handle.config()))
                    .isInstanceOf(SshLoginException.class)
                    .hasMessageContaining("has CHANGED");
        }
    }

    @Test
    @DisplayName("a server that is down fails with StorageUnavailableException; the same storage reconnects once it is back")
    void reconnects() throws IOException {
        byte[] content = bytes(5000, 4);
        Handle before = handleFor(Kind.INDEX, content);
        storage.save(before, Payload.of(content));

        server.stop();
        try {
            assertThatThrownBy(() -> storage.readAll(before)).isInstanceOf(StorageUnavailableException.class);
            assertThatThrownBy(() -> storage.stat(before)).isInstanceOf(StorageUnavailableException.class)
                    .hasMessageContaining("127.0.0.1");
        } finally {
            server.start();
        }
        assertThat(storage.readAll(before)).isEqualTo(content);
        Handle after = handleFor(Kind.INDEX, bytes(10, 5));
        storage.save(after, Payload.of(bytes(10, 5)));
        assertThat(listAll(storage, Kind.INDEX)).containsOnlyKeys(before, after);
    }

    @Test
    @DisplayName("an address where no server listens fails with StorageUnavailableException")
    void unreachable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (SftpStorage down = new SftpStorage("sftp://rk@127.0.0.1:" + port + "/x",
                new SftpOptions(server.clientKey(), null, knownHosts, 2, Duration.ofSeconds(5)))) {
            assertThatThrownBy(() -> down.list(Kind.SNAPSHOT, info -> { }))
                    .isInstanceOf(StorageUnavailableException.class)
                    .hasMessageContaining("[127.0.0.1]:" + port);
        }
    }

    @Test
    @DisplayName("a missing repository folder is not created by a save")
    void missingRoot() throws IOException {
        try (SftpStorage missing = new SftpStorage(server.url("/no/such/folder"), server.keyOptions(knownHosts))) {
            assertThatThrownBy(() -> missing.save(Handle.config(), Payload.of(bytes(1, 1))))
                    .isInstanceOf(StorageUnavailableException.class)
                    .hasMessageContaining("does not exist");
            assertThat(listAll(missing, Kind.PACK)).isEmpty();
        }
        assertThat(server.root().resolve("no")).doesNotExist();
        assertThat(List.of()).isEmpty();
    }
}
