package io.restorekit.repository;

import io.restorekit.storage.FaultyStorage;
import io.restorekit.storage.FaultyStorage.Op;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.memory.InMemoryStorage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Snapshot cache")
class SnapshotCacheTest {
    private static final char[] PASSWORD = RepositoryTest.PASSWORD;

    private static Snapshot snapshot(int i) {
        return RepositoryTest.Snapshots.snapshot("s" + (i % 3), Instant.ofEpochSecond(1_000 + i), null);
    }

    private static List<String> ids(List<Snapshot> snapshots) {
        return snapshots.stream().map(Snapshot::id).toList();
    }

    private static Path cacheFile(Path cache) throws IOException {
        try (var files = Files.walk(cache)) {
            return files.filter(p -> p.getFileName().toString().equals("snapshots.sealed")).findFirst().orElseThrow();
        }
    }

    @Test
    @DisplayName("two threads listing at once read each manifest once: the second waits for the first")
    void concurrentListingsReadOnce() throws Exception {
        FaultyStorage storage = FaultyStorage.wrap(new InMemoryStorage());
        List<Snapshot> saved = new ArrayList<>();
        try (Repository repo = Repository.init(storage, PASSWORD, RepositoryTest.OPTIONS)) {
            for (int i = 0; i < 40; i++) {
                saved.add(repo.saveSnapshot(snapshot(i)));
            }
        }
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            storage.reset();
            var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                var start = new java.util.concurrent.CountDownLatch(1);
                java.util.concurrent.Callable<List<Snapshot>> list = () -> {
                    start.await();
                    return repo.snapshots();
                };
                var a = pool.submit(list);
                var b = pool.submit(list);
                start.countDown();
                assertThat(ids(a.get())).containsExactlyElementsOf(ids(saved));
                assertThat(ids(b.get())).containsExactlyElementsOf(ids(saved));
            } finally {
                pool.shutdownNow();
            }
            assertThat(storage.calls(Op.OPEN)).as("manifests read").isEqualTo(saved.size());
        }
    }

    @Test
    @DisplayName("a second process lists the snapshots without reading the manifests it has seen, and reads only new ones")
    void readsOnlyNewManifests(@TempDir Path cache) throws IOException {
        FaultyStorage storage = FaultyStorage.wrap(new InMemoryStorage());
        List<Snapshot> saved = new ArrayList<>();
        List<Snapshot> first;
        try (Repository repo = Repository.init(storage, PASSWORD, RepositoryTest.OPTIONS)) {
            for (int i = 0; i < 20; i++) {
                saved.add(repo.saveSnapshot(snapshot(i)));
            }
        }
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            repo.cacheSnapshotsIn(cache);
            first = repo.snapshots();
        }
        assertThat(ids(first)).containsExactlyElementsOf(ids(saved));
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            repo.cacheSnapshotsIn(cache);
            storage.reset();
            List<Snapshot> again = repo.snapshots();
            assertThat(storage.calls(Op.OPEN)).as("manifests read").isZero();
            assertThat(again).containsExactlyElementsOf(first);
            Snapshot added = repo.saveSnapshot(snapshot(20));
            storage.reset();
            assertThat(ids(repo.snapshots())).endsWith(added.id()).hasSize(21);
            assertThat(storage.calls(Op.OPEN)).as("saved in this process: known").isZero();
        }
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            repo.cacheSnapshotsIn(cache);
            repo.saveSnapshot(snapshot(21));
        }
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            repo.cacheSnapshotsIn(cache);
            storage.reset();
            List<Snapshot> all = repo.snapshots();
            assertThat(all).hasSize(22);
            assertThat(all.get(21).time()).isEqualTo(Instant.ofEpochSecond(1_021));
            assertThat(all.get(21).summary()).isEqualTo(saved.get(0).summary());
        }
    }

    @Test
    @DisplayName("a forgotten snapshot is no longer listed and leaves the cache file")
    void forgottenLeaves(@TempDir Path cache) throws IOException {
        FaultyStorage storage = FaultyStorage.wrap(new InMemoryStorage());
        Snapshot gone;
        byte[] goneBytes;
        try (Repository repo = Repository.init(storage, PASSWORD, RepositoryTest.OPTIONS)) {
            repo.cacheSnapshotsIn(cache);
            gone = repo.saveSnapshot(snapshot(1));
            repo.saveSnapshot(snapshot(2));
            assertThat(repo.snapshots()).hasSize(2);
            goneBytes = storage.readAll(new Handle(Kind.SNAPSHOT, gone.id()));
            repo.removeSnapshot(gone.id());
            assertThat(ids(repo.snapshots())).doesNotContain(gone.id()).hasSize(1);
        }
        // put back by hand: the file no longer holds it, so it is read again
        storage.save(new Handle(Kind.SNAPSHOT, gone.id()), io.restorekit.storage.Payload.of(goneBytes));
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            repo.cacheSnapshotsIn(cache);
            storage.reset();
            assertThat(ids(repo.snapshots())).contains(gone.id()).hasSize(2);
            assertThat(storage.calls(Op.OPEN)).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("a damaged cache file, or one sealed by another repository, is ignored and replaced")
    void damagedOrForeignIgnored(@TempDir Path cache) throws IOException {
        FaultyStorage storage = FaultyStorage.wrap(new InMemoryStorage());
        List<Snapshot> saved = new ArrayList<>();
        try (Repository repo = Repository.init(storage, PASSWORD, RepositoryTest.OPTIONS)) {
            repo.cacheSnapshotsIn(cache);
            for (int i = 0; i < 5; i++) {
                saved.add(repo.saveSnapshot(snapshot(i)));
            }
            repo.snapshots();
        }
        Path file = cacheFile(cache);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            repo.cacheSnapshotsIn(cache);
            storage.reset();
            assertThat(ids(repo.snapshots())).containsExactlyElementsOf(ids(saved));
            assertThat(storage.calls(Op.OPEN)).as("every manifest read again").isEqualTo(5);
        }
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            repo.cacheSnapshotsIn(cache);
            storage.reset();
            assertThat(ids(repo.snapshots())).containsExactlyElementsOf(ids(saved));
            assertThat(storage.calls(Op.OPEN)).as("the file was written again").isZero();
        }
        // another repository's file in this one's place: its key does not open it
        InMemoryStorage other = new InMemoryStorage();
        Path otherCache = cache.resolve("other");
        try (Repository repo = Repository.init(other, PASSWORD, RepositoryTest.OPTIONS)) {
            repo.cacheSnapshotsIn(otherCache);
            repo.saveSnapshot(snapshot(9));
            repo.snapshots();
        }
        Files.copy(cacheFile(otherCache), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            repo.cacheSnapshotsIn(cache);
            storage.reset();
            assertThat(ids(repo.snapshots())).containsExactlyElementsOf(ids(saved));
            assertThat(storage.calls(Op.OPEN)).isEqualTo(5);
        }
    }

    @Test
    @DisplayName("an unwritable cache folder only means reading the manifests again")
    void unwritableFolder(@TempDir Path dir) throws IOException {
        Path notAFolder = dir.resolve("file");
        Files.writeString(notAFolder, "x");
        InMemoryStorage storage = new InMemoryStorage();
        try (Repository repo = Repository.init(storage, PASSWORD, RepositoryTest.OPTIONS)) {
            repo.cacheSnapshotsIn(notAFolder);
            Snapshot s = repo.saveSnapshot(snapshot(1));
            assertThat(ids(repo.snapshots())).containsExactly(s.id());
        }
    }
}
