package io.restorekit.storage.local;

import io.restorekit.storage.Capabilities;
import io.restorekit.storage.FaultyStorage;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.ObjectNotFoundException;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;
import io.restorekit.storage.StorageContract;
import io.restorekit.storage.StorageUnavailableException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalStorageTest extends StorageContract {

    @Override
    protected Storage newStorage() throws IOException {
        return LocalStorage.create(tempDir.resolve("repo"));
    }

    private Path root() {
        return ((LocalStorage) storage).root();
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> files = Files.walk(root())) {
            return files.filter(p -> p.getFileName().toString().startsWith(LocalStorage.TEMP_PREFIX)).toList();
        }
    }

    @Test
    @DisplayName("ranges of a pack are read through the pack the thread opened last; removed, it is gone for that thread, closed, for all")
    void packKeptOpen() throws Exception {
        byte[] content = bytes(100_000, 5);
        Handle pack = handleFor(Kind.PACK, content);
        storage.save(pack, Payload.of(content));
        byte[] other = bytes(5_000, 6);
        Handle second = handleFor(Kind.PACK, other);
        storage.save(second, Payload.of(other));
        for (int i = 0; i < 3; i++) {
            try (var in = storage.open(pack, 1000L * i, 500)) {
                assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(content, 1000 * i, 1000 * i + 500));
            }
        }
        assertThatThrownBy(() -> storage.open(pack, 99_900, 200)).isInstanceOf(IOException.class)
                .hasMessageContaining("beyond the end");
        try (var in = storage.open(second, 10, 20)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(other, 10, 30));
        }
        // another thread reads the first pack while this one holds the second
        Thread t = new Thread(() -> {
            try (var in = storage.open(pack, 0, 10)) {
                assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(content, 0, 10));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        t.start();
        t.join();
        storage.remove(second);
        assertThatThrownBy(() -> storage.open(second, 0, 10)).isInstanceOf(ObjectNotFoundException.class);
        try (var in = storage.open(pack, 5, 5)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(content, 5, 10));
        }
        storage.close();
        LocalStorage reopened = new LocalStorage(root());
        try (var in = reopened.open(pack, 20, 5)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(content, 20, 25));
        }
        reopened.close();
    }

    @Test
    @DisplayName("create makes the root and one folder per kind, and may be called again")
    void create() throws IOException {
        for (Kind kind : Kind.values()) {
            if (kind != Kind.CONFIG) {
                assertThat(root().resolve(kind.folder())).isDirectory();
            }
        }
        storage.save(new Handle(Kind.KEY, "k1"), Payload.of(bytes(10, 1)));
        LocalStorage again = LocalStorage.create(root());
        assertThat(again.readAll(new Handle(Kind.KEY, "k1"))).isEqualTo(bytes(10, 1));
    }

    @Test
    @DisplayName("keeps each object as a file at its handle's path, packs under data/xx/")
    void layout() throws IOException {
        byte[] content = bytes(1234, 2);
        Handle pack = handleFor(Kind.PACK, content);
        storage.save(pack, Payload.of(content));
        storage.save(Handle.config(), Payload.of(content));

        Path file = root().resolve("data").resolve(pack.name().substring(0, 2)).resolve(pack.name());
        assertThat(file).isRegularFile().hasBinaryContent(content);
        assertThat(root().resolve("config")).hasBinaryContent(content);
    }

    @Test
    @DisplayName("a failed save leaves no temporary file behind")
    void noTempFilesAfterFailure() throws IOException {
        byte[] content = bytes(400_000, 3);
        Handle handle = handleFor(Kind.PACK, content);
        FaultyStorage faulty = FaultyStorage.wrap(storage).failSaveMidway(1, 200_000);

        assertThatThrownBy(() -> faulty.save(handle, Payload.of(content)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(FaultyStorage.INJECTED);
        assertThatThrownBy(() -> storage.save(handle, breakingAfter(content, 1000))).isInstanceOf(IOException.class);

        assertThat(tempFiles()).isEmpty();
        assertThat(root().resolve(handle.path())).doesNotExist();
    }

    @Test
    @DisplayName("a missing root fails every call with StorageUnavailableException and creates nothing")
    void missingRoot() {
        Path root = tempDir.resolve("usb").resolve("rk");
        LocalStorage missing = new LocalStorage(root);
        Handle handle = new Handle(Kind.SNAPSHOT, "abc");
        String message = "repository folder '" + root + "' does not exist or is not mounted";

        assertThatThrownBy(() -> missing.save(handle, Payload.of(bytes(1, 1))))
                .isInstanceOf(StorageUnavailableException.class).hasMessageContaining(message);
        assertThatThrownBy(() -> missing.open(handle, 0, -1))
                .isInstanceOf(StorageUnavailableException.class).hasMessageContaining(message);
        assertThatThrownBy(() -> missing.stat(handle)).isInstanceOf(StorageUnavailableException.class);
        assertThatThrownBy(() -> missing.list(Kind.SNAPSHOT, info -> { }))
                .isInstanceOf(StorageUnavailableException.class);
        assertThatThrownBy(() -> missing.remove(handle)).isInstanceOf(StorageUnavailableException.class);
        assertThatThrownBy(missing::cleanup).isInstanceOf(StorageUnavailableException.class);
        assertThat(root.getParent()).doesNotExist();
        assertThat(missing.capabilities()).isEqualTo(new Capabilities(true, -1));
    }

    @Test
    @DisplayName("a temporary file left by a killed save is not listed, and cleanup removes it once a day old")
    void killedSave() throws IOException {
        byte[] content = bytes(5000, 4);
        Handle pack = handleFor(Kind.PACK, content);
        Path folder = root().resolve(pack.path()).getParent();
        Files.createDirectories(folder);
        Path old = Files.write(folder.resolve(LocalStorage.TEMP_PREFIX + "0badc0de"), content);
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofHours(25))));
        Path recent = Files.write(root().resolve("snapshots").resolve(LocalStorage.TEMP_PREFIX + "1"), content);
        Path oldInRoot = Files.write(root().resolve(LocalStorage.TEMP_PREFIX + "2"), content);
        Files.setLastModifiedTime(oldInRoot, FileTime.from(Instant.now().minus(Duration.ofDays(3))));

        for (Kind kind : Kind.values()) {
            assertThat(listAll(storage, kind)).as("list of %s", kind).isEmpty();
        }
        assertThatThrownBy(() -> storage.stat(pack)).isInstanceOf(ObjectNotFoundException.class);

        assertThat(((LocalStorage) storage).cleanup()).isEqualTo(2);
        assertThat(old).doesNotExist();
        assertThat(oldInRoot).doesNotExist();
        assertThat(recent).exists();

        storage.save(pack, Payload.of(content));
        assertThat(storage.readAll(pack)).isEqualTo(content);
    }

    @Test
    @DisplayName("ignores files whose names are not object names, and objects in the wrong data/xx/ folder")
    void foreignFiles() throws IOException {
        Files.writeString(root().resolve("snapshots").resolve("README.txt"), "notes");
        Files.writeString(root().resolve("keys").resolve("Thumbs.db"), "x");
        Files.createDirectories(root().resolve("data").resolve("ab"));
        Files.writeString(root().resolve("data").resolve("ab").resolve("cd00"), "misplaced");
        Files.writeString(root().resolve("data").resolve("loose"), "not in a subfolder");
        Files.createDirectories(root().resolve("snapshots").resolve("sub"));

        for (Kind kind : Kind.values()) {
            assertThat(listAll(storage, kind)).as("list of %s", kind).isEmpty();
        }
    }

    @Test
    @DisplayName("reports a local path and the free space of its file system")
    void capabilities() throws IOException {
        Capabilities capabilities = storage.capabilities();
        assertThat(capabilities.localPath()).isTrue();
        assertThat(capabilities.freeSpace()).isPositive()
                .isCloseTo(Files.getFileStore(root()).getUsableSpace(), org.assertj.core.api.Assertions.within(64L << 20));
    }

    @Test
    @DisplayName("a directory with an object's name is not an object")
    void directoryIsNotAnObject() throws IOException {
        Handle handle = new Handle(Kind.INDEX, "dd");
        Files.createDirectories(root().resolve(handle.path()));
        assertThatThrownBy(() -> storage.stat(handle)).isInstanceOf(ObjectNotFoundException.class);
        assertThatThrownBy(() -> storage.open(handle, 0, -1)).isInstanceOf(ObjectNotFoundException.class);
        assertThat(listAll(storage, Kind.INDEX)).isEmpty();
    }
}
