package io.restorekit.repository;

import io.restorekit.storage.Capabilities;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;
import io.restorekit.storage.decorator.ForwardingStorage;
import io.restorekit.storage.memory.InMemoryStorage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

@DisplayName("Repository")
class RepositoryTest {
    static final char[] PASSWORD = "correct horse".toCharArray();
    static final RepositoryOptions OPTIONS = new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20);

    static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] text(long seed, int size) {
        Random r = new Random(seed);
        String[] words = {"invoice", "tenant", "the", "backup", "restore", "of", "a", "ledger", "row", "42"};
        StringBuilder sb = new StringBuilder(size + 16);
        while (sb.length() < size) {
            sb.append(words[r.nextInt(words.length)]).append(r.nextInt(8) == 0 ? '\n' : ' ');
        }
        return sb.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    static int count(InMemoryStorage storage, Kind kind) throws IOException {
        return Repository.list(storage, kind).size();
    }

    @Nested
    @DisplayName("blobs")
    class Blobs {
        @Test
        @DisplayName("round-trips compressible and random blobs, also after reopening")
        void roundTrip() throws IOException {
            InMemoryStorage storage = new InMemoryStorage();
            byte[] a = text(1, 300_000);
            byte[] b = random(2, 300_000);
            byte[] empty = new byte[0];
            BlobId ia;
            BlobId ib;
            BlobId ie;
            try (Repository repo = Repository.init(storage, PASSWORD, OPTIONS)) {
                Repository.SaveResult ra = repo.saveBlob(BlobType.DATA, a, 0, a.length);
                Repository.SaveResult rb = repo.saveBlob(BlobType.DATA, b, 0, b.length);
                ie = repo.saveBlob(BlobType.TREE, empty, 0, 0).id();
                ia = ra.id();
                ib = rb.id();
                assertThat(ra.added()).isTrue();
                assertThat(ra.storedBytes()).isLessThan(a.length / 2);
                assertThat(rb.storedBytes()).isEqualTo(b.length + 28);
                assertThat(repo.loadBlob(BlobType.DATA, ia)).isEqualTo(a);
                repo.flush();
                assertThat(repo.loadBlob(BlobType.DATA, ib)).isEqualTo(b);
            }
            try (Repository repo = Repository.open(storage, PASSWORD)) {
                assertThat(repo.has(BlobType.DATA, ia)).isTrue();
                assertThat(repo.has(BlobType.TREE, ia)).isFalse();
                assertThat(repo.loadBlob(BlobType.DATA, ia)).isEqualTo(a);
                assertThat(repo.loadBlob(BlobType.DATA, ib)).isEqualTo(b);
                assertThat(repo.loadBlob(BlobType.TREE, ie)).isEmpty();
            }
            assertThat(count(storage, Kind.PACK)).isEqualTo(2);
        }

        @Test
        @DisplayName("a new repository writes blobs at zstd level 2 and says so; an older one keeps the level it names")
        void compressionLevel() throws IOException {
            byte[] a = text(5, 400_000);
            byte[] noise = random(6, 100_000);
            long atTwo;
            long sealing;
            try (Repository repo = Repository.init(new InMemoryStorage(), PASSWORD, OPTIONS)) {
                assertThat(repo.config().compression()).isEqualTo("zstd:2");
                atTwo = repo.saveBlob(BlobType.DATA, a, 0, a.length).storedBytes();
                sealing = repo.saveBlob(BlobType.DATA, noise, 0, noise.length).storedBytes() - noise.length;
            }
            long two = com.github.luben.zstd.Zstd.compress(a, 2).length;
            assertThat(com.github.luben.zstd.Zstd.compress(a, 3).length).as("levels 2 and 3 differ on it").isNotEqualTo(two);
            assertThat(atTwo).as("the level-2 frame, sealed").isEqualTo(two + sealing);
            RepositoryConfig old = new RepositoryConfig(1, "id", null, null, 0, "zstd:3");
            assertThat(old.blobLevel()).isEqualTo(3);
            assertThat(new RepositoryConfig(1, "id", null, null, 0, "zstd:19").blobLevel()).isEqualTo(19);
            for (String odd : new String[] {null, "zstd:0", "zstd:40", "zstd:x", "lz4"}) {
                assertThat(new RepositoryConfig(1, "id", null, null, 0, odd).blobLevel()).as(odd).isEqualTo(3);
            }
        }

        @Test
        @DisplayName("row text is written at zstd level 1 where the repository's level is a fast one, else at that level; it reads back alike")
        void rowTextLevel() throws IOException {
            StringBuilder rows = new StringBuilder();
            for (int i = 0; rows.length() < 300_000; i++) {
                rows.append(i).append('\t').append(i % 20).append("\tcustomer ").append(i % 9973).append('\t')
                        .append((i * 7919L) % 1_000_000 / 100.0).append("\t2026-01-01 00:00:0").append(i % 10)
                        .append('\n');
            }
            byte[] a = rows.toString().getBytes(StandardCharsets.US_ASCII);
            byte[] noise = random(7, 100_000);
            InMemoryStorage storage = new InMemoryStorage();
            long asRows;
            long sealing;
            BlobId id;
            try (Repository repo = Repository.init(storage, PASSWORD, OPTIONS)) {
                Repository.SaveResult r = repo.saveBlob(BlobType.DATA, a, 0, a.length, Repository.Content.ROWS);
                id = r.id();
                asRows = r.storedBytes();
                sealing = repo.saveBlob(BlobType.DATA, noise, 0, noise.length, Repository.Content.ROWS).storedBytes()
                        - noise.length;
                assertThat(repo.saveBlob(BlobType.DATA, a, 0, a.length).added()).as("same id as any blob").isFalse();
            }
            long one = com.github.luben.zstd.Zstd.compress(a, 1).length;
            assertThat(com.github.luben.zstd.Zstd.compress(a, 2).length).as("levels 1 and 2 differ on it")
                    .isNotEqualTo(one);
            assertThat(asRows).as("the level-1 frame, sealed").isEqualTo(one + sealing);
            assertThat(sealing).as("incompressible rows are stored as they are").isEqualTo(28);
            try (Repository repo = Repository.open(storage, PASSWORD)) {
                assertThat(repo.loadBlob(BlobType.DATA, id)).isEqualTo(a);
            }
            assertThat(Repository.rowLevel(2)).isEqualTo(1);
            assertThat(Repository.rowLevel(3)).isEqualTo(1);
            assertThat(Repository.rowLevel(9)).isEqualTo(9);
        }

        @Test
        @DisplayName("tree blobs are written as row text is, at level 1 in a repository of a fast level; they read back alike")
        void treeLevel() throws IOException {
            Random r = new Random(11);
            StringBuilder json = new StringBuilder("{\"nodes\":[");
            for (int i = 0; i < 40; i++) {
                byte[] sha = new byte[32];
                byte[] blob = new byte[32];
                r.nextBytes(sha);
                r.nextBytes(blob);
                json.append(i == 0 ? "" : ",").append("{\"name\":\"").append(Integer.toHexString(r.nextInt()))
                        .append(".xml\",\"type\":\"file\",\"mode\":420,\"mtime\":").append(1_700_000_000_000_000_000L
                                + r.nextInt(1 << 30)).append(",\"size\":").append(r.nextInt(200_000))
                        .append(",\"sha256\":\"").append(io.restorekit.common.Hex.encode(sha)).append("\",\"content\":[\"")
                        .append(io.restorekit.common.Hex.encode(blob)).append("\"]}");
            }
            byte[] tree = json.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
            InMemoryStorage storage = new InMemoryStorage();
            BlobId id;
            long stored;
            try (Repository repo = Repository.init(storage, PASSWORD, OPTIONS)) {
                Repository.SaveResult saved = repo.saveBlob(BlobType.TREE, tree, 0, tree.length);
                id = saved.id();
                stored = saved.storedBytes();
            }
            long one = com.github.luben.zstd.Zstd.compress(tree, 1).length;
            assertThat(com.github.luben.zstd.Zstd.compress(tree, 2).length).as("levels 1 and 2 differ on it")
                    .isNotEqualTo(one);
            assertThat(stored).as("the level-1 frame, sealed").isEqualTo(one + 28);
            try (Repository repo = Repository.open(storage, PASSWORD)) {
                assertThat(repo.loadBlob(BlobType.TREE, id)).isEqualTo(tree);
            }
        }

        @Test
        @DisplayName("stores identical content once, by a keyed id")
        void dedup() throws IOException {
            InMemoryStorage storage = new InMemoryStorage();
            byte[] a = random(3, 100_000);
            try (Repository repo = Repository.init(storage, PASSWORD, OPTIONS)) {
                Repository.SaveResult first = repo.saveBlob(BlobType.DATA, a, 0, a.length);
                Repository.SaveResult again = repo.saveBlob(BlobType.DATA, a.clone(), 0, a.length);
                assertThat(again.id()).isEqualTo(first.id());
                assertThat(again.added()).isFalse();
                assertThat(again.storedBytes()).isZero();
                repo.flush();
                assertThat(repo.saveBlob(BlobType.DATA, a, 0, a.length).added()).isFalse();
                assertThat(first.id()).isNotEqualTo(BlobId.of(
                        java.security.MessageDigest.getInstance("SHA-256").digest(a)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
            try (Repository repo = Repository.open(storage, PASSWORD)) {
                assertThat(repo.saveBlob(BlobType.DATA, a, 0, a.length).added()).isFalse();
            }
        }

        @Test
        @DisplayName("saves from four threads at once, then reopens and loads every blob")
        void concurrent() throws Exception {
            InMemoryStorage storage = new InMemoryStorage();
            Map<BlobId, byte[]> saved = new HashMap<>();
            try (Repository repo = Repository.init(storage, PASSWORD, OPTIONS)) {
                ExecutorService pool = Executors.newFixedThreadPool(4);
                List<Future<Map<BlobId, byte[]>>> futures = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        Map<BlobId, byte[]> mine = new HashMap<>();
                        for (int i = 0; i < 40; i++) {
                            // every thread also saves 10 blobs the others save too
                            long seed = i < 10 ? i : 1000L * thread + i;
                            byte[] b = i % 2 == 0 ? random(seed, 50_000) : text(seed, 60_000);
                            mine.put(repo.saveBlob(BlobType.DATA, b, 0, b.length).id(), b);
                        }
                        return mine;
                    }));
                }
                for (Future<Map<BlobId, byte[]>> f : futures) {
                    saved.putAll(f.get());
                }
                pool.shutdown();
                repo.flush();
            }
            assertThat(saved).hasSize(130);
            assertThat(count(storage, Kind.PACK)).isGreaterThan(2);
            try (Repository repo = Repository.open(storage, PASSWORD)) {
                for (var e : saved.entrySet()) {
                    assertThat(repo.loadBlob(BlobType.DATA, e.getKey())).isEqualTo(e.getValue());
                }
            }
        }

        /** A hook run before each pack is saved. */
        interface BeforePack {
            void run() throws IOException;
        }

        /** {@code inner} as a storage on a local file system, running {@code hook} before each pack's save. */
        static Storage localWith(InMemoryStorage inner, BeforePack hook) {
            return new ForwardingStorage(inner) {
                @Override
                public void save(Handle h, Payload p) throws IOException {
                    if (h.kind() == Kind.PACK) {
                        hook.run();
                    }
                    super.save(h, p);
                }

                @Override
                public Capabilities capabilities() {
                    return new Capabilities(true, -1);
                }
            };
        }

        @Test
        @DisplayName("on a local storage at most three data packs are in memory, however fast threads fill them")
        void boundedPackBuffers() throws Exception {
            InMemoryStorage inner = new InMemoryStorage();
            Repository.init(inner, PASSWORD, OPTIONS).close();
            AtomicInteger saving = new AtomicInteger();
            AtomicInteger mostAtOnce = new AtomicInteger();
            Storage slowLocal = localWith(inner, () -> {
                mostAtOnce.accumulateAndGet(saving.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                saving.decrementAndGet();
            });
            Map<BlobId, byte[]> saved = new java.util.concurrent.ConcurrentHashMap<>();
            try (Repository repo = Repository.open(slowLocal, PASSWORD)) {
                assertThat(repo.dataPackBuffers()).isEqualTo(3);
                ExecutorService pool = Executors.newFixedThreadPool(4);
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < 12; i++) {
                            byte[] b = random(100L * thread + i, 600_000);  // two fill a 1 MiB pack
                            saved.put(repo.saveBlob(BlobType.DATA, b, 0, b.length).id(), b);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get(60, TimeUnit.SECONDS);
                }
                pool.shutdown();
                repo.flush();
                assertThat(repo.dataBuffersMade()).isBetween(1, 3);
            }
            assertThat(mostAtOnce.get()).isEqualTo(1);
            assertThat(count(inner, Kind.PACK)).isGreaterThanOrEqualTo(20);
            try (Repository repo = Repository.open(inner, PASSWORD)) {
                for (var e : saved.entrySet()) {
                    assertThat(repo.loadBlob(BlobType.DATA, e.getKey())).isEqualTo(e.getValue());
                }
            }
        }

        @Test
        @DisplayName("threads waiting for a pack buffer get the storage's failure instead of waiting forever")
        void waitingSaversSeeFailure() throws IOException {
            InMemoryStorage inner = new InMemoryStorage();
            Repository.init(inner, PASSWORD, OPTIONS).close();
            Storage failingLocal = localWith(inner, () -> {
                throw new IOException("No space left on device");
            });
            Repository repo = Repository.open(failingLocal, PASSWORD);
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> {
                for (int i = 0; i < 40; i++) {
                    byte[] b = random(7000 + i, 1_100_000);  // one pack each
                    repo.saveBlob(BlobType.DATA, b, 0, b.length);
                }
            }).hasMessageContaining("No space left on device"));
            repo.close();
            assertThat(count(inner, Kind.PACK)).isZero();
            assertThat(count(inner, Kind.INDEX)).isZero();
        }

        @Test
        @DisplayName("a failure to store a pack in the background is rethrown by flush and by the next save")
        void writerError() throws IOException {
            InMemoryStorage inner = new InMemoryStorage();
            Repository.init(inner, PASSWORD, OPTIONS).close();
            io.restorekit.storage.Storage failing = new io.restorekit.storage.Storage() {
                public String location() { return inner.location(); }
                public void save(io.restorekit.storage.Handle h, io.restorekit.storage.Payload p) throws IOException {
                    if (h.kind() == Kind.PACK) {
                        throw new IOException("disk full");
                    }
                    inner.save(h, p);
                }
                public java.io.InputStream open(io.restorekit.storage.Handle h, long o, long l) throws IOException {
                    return inner.open(h, o, l);
                }
                public io.restorekit.storage.FileInfo stat(io.restorekit.storage.Handle h) throws IOException {
                    return inner.stat(h);
                }
                public void list(Kind k, java.util.function.Consumer<io.restorekit.storage.FileInfo> each) {
                    inner.list(k, each);
                }
                public void remove(io.restorekit.storage.Handle h) { inner.remove(h); }
            };
            Repository repo = Repository.open(failing, PASSWORD);
            byte[] a = random(5, 1000);
            repo.saveBlob(BlobType.DATA, a, 0, a.length);
            assertThatThrownBy(repo::flush).isInstanceOf(IOException.class).hasMessageContaining("disk full");
            assertThatThrownBy(() -> repo.saveBlob(BlobType.DATA, a, 0, 10)).hasMessageContaining("disk full");
            repo.close();
            assertThat(count(inner, Kind.INDEX)).isZero();
        }

        @Test
        @DisplayName("chunks with the repository's secret gear table; chunks concatenate to the input")
        void chunker() throws IOException {
            InMemoryStorage storage = new InMemoryStorage();
            byte[] input = random(9, 5 << 20);
            try (Repository repo = Repository.init(storage, PASSWORD, OPTIONS)) {
                var chunker = repo.chunker(new ByteArrayInputStream(input));
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                int n = 0;
                for (var c = chunker.next(); c != null; c = chunker.next()) {
                    out.write(c.data(), 0, c.length());
                    n++;
                }
                assertThat(out.toByteArray()).isEqualTo(input);
                assertThat(n).isGreaterThan(1);
            }
        }
    }

    @Nested
    @DisplayName("opening")
    class Opening {
        @Test
        @DisplayName("a wrong password fails with WrongPasswordException and writes nothing")
        void wrongPassword() throws IOException {
            InMemoryStorage storage = new InMemoryStorage();
            Repository.init(storage, PASSWORD, OPTIONS).close();
            Map<Kind, Integer> before = new HashMap<>();
            for (Kind k : Kind.values()) {
                before.put(k, count(storage, k));
            }
            assertThatThrownBy(() -> Repository.open(storage, "wrong".toCharArray()))
                    .isInstanceOf(WrongPasswordException.class)
                    .hasMessage("wrong password for repository '" + storage.location()
                            + "': no key of its 1 keys opens with it");
            for (Kind k : Kind.values()) {
                assertThat(count(storage, k)).as(k.name()).isEqualTo(before.get(k));
            }
        }

        @Test
        @DisplayName("refuses to create a repository twice and to open an empty location")
        void existence() throws IOException {
            InMemoryStorage storage = new InMemoryStorage();
            assertThat(Repository.exists(storage)).isFalse();
            assertThatThrownBy(() -> Repository.open(storage, PASSWORD))
                    .isInstanceOf(RepositoryNotFoundException.class);
            Repository.init(storage, PASSWORD, OPTIONS).close();
            assertThat(Repository.exists(storage)).isTrue();
            assertThatThrownBy(() -> Repository.init(storage, PASSWORD, OPTIONS))
                    .isInstanceOf(RepositoryExistsException.class);
        }
    }

    @Nested
    @DisplayName("snapshots")
    class Snapshots {
        static Snapshot snapshot(String source, Instant time, BlobId tree) {
            return new Snapshot(null, 1, source, "files", time, "srv1", "root", "run1", List.of("daily"), null,
                    "/srv", tree, new Snapshot.Summary(1, 2, 3, 4, 5, 6, 7), List.of(new Snapshot.Warning("a", "b")));
        }

        @Test
        @DisplayName("saves and loads manifests by id and unique prefix, lists them oldest first")
        void roundTrip() throws IOException {
            InMemoryStorage storage = new InMemoryStorage();
            try (Repository repo = Repository.init(storage, PASSWORD, OPTIONS)) {
                byte[] tree = "{\"nodes\":[]}".getBytes(StandardCharsets.UTF_8);
                BlobId treeId = repo.saveBlob(BlobType.TREE, tree, 0, tree.length).id();
                Snapshot late = repo.saveSnapshot(snapshot("db", Instant.parse("2026-11-22T03:00:00Z"), treeId));
                Snapshot early = repo.saveSnapshot(snapshot("uploads", Instant.parse("2026-11-21T03:00:00Z"), treeId));
                assertThat(late.id()).hasSize(64);
                Snapshot loaded = repo.loadSnapshot(late.id().substring(0, 6));
                assertThat(loaded).isEqualTo(late);
                assertThat(repo.loadSnapshot(late.id())).isEqualTo(late);
                assertThat(repo.loadSnapshot(early.id().toUpperCase())).isEqualTo(early);
                assertThat(repo.snapshots()).containsExactly(early, late);
                assertThat(repo.loadBlob(BlobType.TREE, loaded.tree())).isEqualTo(tree);
            }
        }

        @Test
        @DisplayName("rejects short, missing and ambiguous prefixes with a clear message")
        void prefixes() throws IOException {
            InMemoryStorage storage = new InMemoryStorage();
            try (Repository repo = Repository.init(storage, PASSWORD, OPTIONS)) {
                List<Snapshot> saved = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    saved.add(repo.saveSnapshot(snapshot("s" + i, Instant.ofEpochSecond(i), null)));
                }
                assertThatThrownBy(() -> repo.loadSnapshot("abc"))
                        .isInstanceOf(SnapshotNotFoundException.class)
                        .hasMessageContaining("at least 6 hex");
                String absent = "0000000000";
                assertThat(saved).noneMatch(s -> s.id().startsWith(absent));
                assertThatThrownBy(() -> repo.loadSnapshot(absent))
                        .isInstanceOf(SnapshotNotFoundException.class)
                        .hasMessageContaining("no snapshot").hasMessageContaining(absent);
                assertThatThrownBy(() -> repo.loadSnapshot("0".repeat(64)))
                        .isInstanceOf(SnapshotNotFoundException.class);
                assertThat(repo.loadSnapshot(saved.get(7).id().substring(0, 6))).isEqualTo(saved.get(7));
            }
        }

        @Test
        @DisplayName("an ambiguous prefix lists the candidates and asks for more characters")
        void ambiguous() {
            List<String> ids = List.of("abcdef01" + "0".repeat(56), "abcdef02" + "0".repeat(56), "123456" + "0".repeat(58));
            assertThat(Repository.resolvePrefix("123456", ids, "here")).isEqualTo(ids.get(2));
            assertThatThrownBy(() -> Repository.resolvePrefix("abcdef", ids, "here"))
                    .isInstanceOf(SnapshotNotFoundException.class)
                    .hasMessage("snapshot id prefix 'abcdef' is ambiguous: it matches 2 snapshots"
                            + " (abcdef010000, abcdef020000); give more characters");
        }
    }
}
