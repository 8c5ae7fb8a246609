package io.restorekit.repository;

import com.github.luben.zstd.Zstd;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.Payload;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.storage.memory.InMemoryStorage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.restorekit.repository.RepositoryTest.OPTIONS;
import static io.restorekit.repository.RepositoryTest.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Repository dictionaries")
class DictionariesTest {
    /** Saves small documents until well past the samples a dictionary is trained on. */
    private static Map<BlobId, byte[]> saveDocuments(Repository repo, long seed, long bytes) throws IOException {
        Random r = new Random(seed);
        Map<BlobId, byte[]> saved = new LinkedHashMap<>();
        long total = 0;
        while (total < bytes) {
            byte[] doc = FilesFixtures.invoice(r);
            saved.put(repo.saveBlob(BlobType.DATA, doc, 0, doc.length).id(), doc);
            total += doc.length;
        }
        repo.flush();
        return saved;
    }

    /** A new repository that has trained its dictionary. */
    private static Repository trained(InMemoryStorage storage) throws IOException {
        Repository repo = Repository.init(storage, PASSWORD, OPTIONS);
        saveDocuments(repo, 1, Dictionaries.SAMPLE_BYTES + 1);
        assertThat(dictionaries(storage)).hasSize(1);
        return repo;
    }

    private static List<FileInfo> dictionaries(InMemoryStorage storage) throws IOException {
        return Repository.list(storage, Kind.DICT);
    }

    @Test
    @DisplayName("small files train one dictionary, stored before any frame uses it; every blob reads back, also after reopening")
    void trainsAndReads() throws IOException {
        InMemoryStorage storage = new InMemoryStorage();
        Map<BlobId, byte[]> saved;
        long storedWithout;
        long storedWith;
        try (Repository repo = Repository.init(storage, PASSWORD, OPTIONS)) {
            assertThat(repo.config().version()).isEqualTo(RepositoryConfig.VERSION).isEqualTo(2);
            // Until the samples are complete, small blobs are compressed without a dictionary.
            saved = saveDocuments(repo, 1, Dictionaries.SAMPLE_BYTES / 2);
            assertThat(dictionaries(storage)).isEmpty();
            saved.putAll(saveDocuments(repo, 2, Dictionaries.SAMPLE_BYTES));
            assertThat(dictionaries(storage)).hasSize(1);
            // The same documents again, once with the dictionary in a repository of their own.
            Random r = new Random(3);
            storedWith = 0;
            storedWithout = 0;
            for (int i = 0; i < 200; i++) {
                byte[] doc = FilesFixtures.invoice(r);
                Repository.SaveResult s = repo.saveBlob(BlobType.DATA, doc, 0, doc.length);
                saved.put(s.id(), doc);
                storedWith += s.storedBytes();
                storedWithout += Zstd.compress(doc, repo.blobLevel()).length + 28;
            }
            for (Map.Entry<BlobId, byte[]> e : saved.entrySet()) {
                assertThat(repo.loadBlob(BlobType.DATA, e.getKey())).isEqualTo(e.getValue());
            }
        }
        assertThat(storedWith).as("documents compressed with the dictionary against without")
                .isLessThan(storedWithout * 3 / 4);
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            for (Map.Entry<BlobId, byte[]> e : saved.entrySet()) {
                assertThat(repo.loadBlob(BlobType.DATA, e.getKey())).isEqualTo(e.getValue());
            }
            assertThat(repo.check(true, io.restorekit.common.ProgressListener.NONE).findings()).isEmpty();
            // A later writer uses the stored dictionary and trains none of its own.
            saveDocuments(repo, 4, Dictionaries.SAMPLE_BYTES + 1);
        }
        assertThat(dictionaries(storage)).hasSize(1);
    }

    @Test
    @DisplayName("four threads saving small blobs while the dictionary is trained: one dictionary, every blob reads back")
    void concurrentWriters() throws Exception {
        InMemoryStorage storage = new InMemoryStorage();
        Map<BlobId, byte[]> saved = new java.util.concurrent.ConcurrentHashMap<>();
        try (Repository repo = Repository.init(storage, PASSWORD, OPTIONS)) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            List<java.util.concurrent.Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = 100 + t;
                writers.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    for (int i = 0; i < 600; i++) {
                        byte[] doc = FilesFixtures.invoice(r);
                        saved.put(repo.saveBlob(BlobType.DATA, doc, 0, doc.length).id(), doc);
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> w : writers) {
                w.get();
            }
            pool.shutdown();
            repo.flush();
        }
        assertThat(dictionaries(storage)).hasSize(1);
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            assertThat(saved).hasSize(2400);
            for (Map.Entry<BlobId, byte[]> e : saved.entrySet()) {
                assertThat(repo.loadBlob(BlobType.DATA, e.getKey())).isEqualTo(e.getValue());
            }
            assertThat(repo.check(true, io.restorekit.common.ProgressListener.NONE).findings()).isEmpty();
        }
    }

    @Test
    @DisplayName("large blobs, tree blobs and incompressible small blobs are written without the dictionary")
    void onlySmallData() throws IOException {
        InMemoryStorage storage = new InMemoryStorage();
        try (Repository repo = trained(storage)) {
            byte[] large = RepositoryTest.text(7, Dictionaries.MAX_BLOB + 1);
            byte[] tree = FilesFixtures.invoice(new Random(8));
            byte[] small = FilesFixtures.invoice(new Random(9));
            Repository.SaveResult l = repo.saveBlob(BlobType.DATA, large, 0, large.length);
            Repository.SaveResult t = repo.saveBlob(BlobType.TREE, tree, 0, tree.length);
            Repository.SaveResult s = repo.saveBlob(BlobType.DATA, small, 0, small.length);
            byte[] noise = RepositoryTest.random(10, 10_000);
            assertThat(repo.saveBlob(BlobType.DATA, noise, 0, noise.length).storedBytes()).isEqualTo(noise.length + 28);
            assertThat(l.storedBytes()).isEqualTo(Zstd.compress(large, repo.blobLevel()).length + 28);
            assertThat(t.storedBytes()).isEqualTo(Zstd.compress(tree, 1).length + 28);
            assertThat(s.storedBytes()).isLessThan(Zstd.compress(small, repo.blobLevel()).length + 28)
                    .isLessThan(Zstd.compress(small, 1).length + 28);
        }
    }

    @Test
    @DisplayName("a writer stops using the dictionary once small blobs unlike its samples come out larger with it")
    void outgrown() throws IOException {
        InMemoryStorage storage = new InMemoryStorage();
        try (Repository repo = trained(storage)) {
            Dictionaries dictionaries = repo.dictionaries();
            long with = 0;
            long without = 0;
            int saved = 0;
            // Prose of other words than the documents': the dictionary (at level 1) loses to level 2.
            Random r = new Random(12);
            while (!dictionaries.outgrown() && saved < 4 * Dictionaries.CHECK_EVERY * Dictionaries.CHECK_WINDOW) {
                byte[] prose = RepositoryTest.text(r.nextLong(), 6_000 + r.nextInt(20_000));
                Repository.SaveResult s = repo.saveBlob(BlobType.DATA, prose, 0, prose.length);
                with += s.storedBytes();
                without += Zstd.compress(prose, repo.blobLevel()).length + 28;
                saved++;
            }
            assertThat(with).as("stored with the dictionary against level %d without", repo.blobLevel())
                    .isGreaterThan(without);
            assertThat(dictionaries.outgrown()).isTrue();
            assertThat(saved).isGreaterThanOrEqualTo(Dictionaries.CHECK_EVERY * Dictionaries.CHECK_WINDOW);
            byte[] next = RepositoryTest.text(99, 9_000);
            assertThat(repo.saveBlob(BlobType.DATA, next, 0, next.length).storedBytes())
                    .isEqualTo(Zstd.compress(next, repo.blobLevel()).length + 28);
        }
    }

    @Test
    @DisplayName("a blob whose dictionary is missing fails with a message that names it; verify reports a damaged dictionary")
    void missingOrDamaged() throws IOException {
        InMemoryStorage storage = new InMemoryStorage();
        BlobId late;
        try (Repository repo = Repository.init(storage, PASSWORD, OPTIONS)) {
            saveDocuments(repo, 1, Dictionaries.SAMPLE_BYTES + 1);
            byte[] doc = FilesFixtures.invoice(new Random(5));
            late = repo.saveBlob(BlobType.DATA, doc, 0, doc.length).id();
            repo.flush();
        }
        Handle dict = dictionaries(storage).get(0).handle();
        byte[] stored = storage.readAll(dict);
        storage.remove(dict);
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            assertThatThrownBy(() -> repo.loadBlob(BlobType.DATA, late))
                    .isInstanceOf(RepositoryCorruptException.class)
                    .hasMessageContaining("blob " + late)
                    .hasMessageContaining("zstd dictionary")
                    .hasMessageContaining("does not hold under dicts/");
            CheckReport report = repo.check(true, io.restorekit.common.ProgressListener.NONE);
            assertThat(report.findings()).isNotEmpty()
                    .allMatch(f -> f.severity() == CheckReport.Severity.ERROR);
            assertThat(report.findings().toString()).contains("zstd dictionary");
        }
        byte[] damaged = stored.clone();
        damaged[40] ^= 1;
        storage.save(new Handle(Kind.DICT, io.restorekit.repository.crypto.Sha256.hex(damaged)), Payload.of(damaged));
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            CheckReport report = repo.check(false, io.restorekit.common.ProgressListener.NONE);
            assertThat(report.findings()).anySatisfy(f -> {
                assertThat(f.object()).startsWith("dicts/");
                assertThat(f.message()).contains("does not authenticate");
            });
            assertThatThrownBy(() -> repo.loadBlob(BlobType.DATA, late))
                    .isInstanceOf(RepositoryCorruptException.class).hasMessageContaining("zstd dictionary");
        }
        storage.save(dict, Payload.of(stored));
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            assertThat(repo.loadBlob(BlobType.DATA, late)).isEqualTo(FilesFixtures.invoice(new Random(5)));
        }
    }

    @Test
    @DisplayName("a repository of format version 1 never gets a dictionary, so older restorekits go on reading it")
    void versionOne() throws IOException {
        InMemoryStorage storage = new InMemoryStorage();
        try (Repository repo = Repository.init(storage, PASSWORD, OPTIONS)) {
            RepositoryConfig c = repo.config();
            RepositoryConfig old = new RepositoryConfig(1, c.id(), c.created(), c.chunker(), c.packSize(), c.compression());
            storage.remove(Handle.config());
            storage.save(Handle.config(), Payload.of(io.restorekit.repository.crypto.Envelope.wrap(repo.sealer,
                    repo.json.writeValueAsBytes(old))));
        }
        Map<BlobId, byte[]> saved;
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            assertThat(repo.config().version()).isEqualTo(1);
            saved = saveDocuments(repo, 1, 2L * Dictionaries.SAMPLE_BYTES);
        }
        assertThat(dictionaries(storage)).isEmpty();
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            for (Map.Entry<BlobId, byte[]> e : saved.entrySet()) {
                assertThat(repo.loadBlob(BlobType.DATA, e.getKey())).isEqualTo(e.getValue());
            }
        }
    }

    @Test
    @DisplayName("reads the dictionary id from frame headers of every layout")
    void frameDictionaryId() {
        byte[] doc = FilesFixtures.invoice(new Random(1));
        List<byte[]> samples = new ArrayList<>();
        Random r = new Random(2);
        for (int i = 0; i < 300; i++) {
            samples.add(FilesFixtures.invoice(r));
        }
        com.github.luben.zstd.ZstdDictTrainer trainer = new com.github.luben.zstd.ZstdDictTrainer(4 << 20, 16 << 10);
        samples.forEach(trainer::addSample);
        byte[] dict = trainer.trainSamples();
        int id = (int) Zstd.getDictIdFromDict(dict);
        assertThat(id).isNotZero();
        byte[] plain = Zstd.compress(doc, 2);
        assertThat(Dictionaries.frameDictionaryId(plain, plain.length)).isZero();
        try (com.github.luben.zstd.ZstdCompressCtx c = new com.github.luben.zstd.ZstdCompressCtx()) {
            c.loadDict(dict);
            byte[] withDict = c.compress(doc);
            assertThat(Dictionaries.frameDictionaryId(withDict, withDict.length)).isEqualTo(id)
                    .isEqualTo((int) Zstd.getDictIdFromFrame(withDict));
            c.setContentSize(false);
            byte[] noSize = c.compress(doc);
            assertThat(Dictionaries.frameDictionaryId(noSize, noSize.length)).isEqualTo(id);
        }
        // One-, two- and four-byte id fields, hand-made headers.
        byte[] one = {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 0x21, 0x7F};
        byte[] two = {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 0x02, 0x10, 0x34, 0x12};
        byte[] four = {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 0x23, 0x78, 0x56, 0x34, 0x12};
        assertThat(Dictionaries.frameDictionaryId(one, one.length)).isEqualTo(0x7F);
        assertThat(Dictionaries.frameDictionaryId(two, two.length)).isEqualTo(0x1234);
        assertThat(Dictionaries.frameDictionaryId(four, four.length)).isEqualTo(0x12345678);
        assertThat(Dictionaries.frameDictionaryId(four, 7)).as("cut short").isZero();
        assertThat(Dictionaries.frameDictionaryId(new byte[]{1, 2, 3, 4, 5, 6, 7}, 7)).as("not a frame").isZero();
    }
}
