package io.restorekit.repository;

import io.restorekit.common.Hex;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.CheckReport.Finding;
import io.restorekit.repository.crypto.Sha256;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.Payload;
import io.restorekit.storage.local.LocalStorage;
import io.restorekit.storage.memory.InMemoryStorage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.restorekit.repository.RepositoryTest.OPTIONS;
import static io.restorekit.repository.RepositoryTest.PASSWORD;
import static io.restorekit.repository.RepositoryTest.random;
import static io.restorekit.repository.RepositoryTest.text;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Repository check and index rebuild")
class CheckAndRebuildTest {
    private InMemoryStorage storage;
    private final Map<BlobId, byte[]> blobs = new LinkedHashMap<>();

    @BeforeEach
    void repository() throws IOException {
        storage = new InMemoryStorage();
        try (Repository repo = Repository.init(storage, PASSWORD, OPTIONS)) {
            // about 2 MiB of data blobs: at least two data packs of 1 MiB, plus one tree pack
            for (int i = 0; i < 24; i++) {
                byte[] b = i % 3 == 0 ? text(i, 100_000) : random(i, 100_000);
                blobs.put(repo.saveBlob(BlobType.DATA, b, 0, b.length).id(), b);
            }
            byte[] tree = "{\"nodes\":[]}".getBytes();
            BlobId treeId = repo.saveBlob(BlobType.TREE, tree, 0, tree.length).id();
            repo.saveSnapshot(new Snapshot(null, 1, "files", "files", Instant.parse("2026-11-22T03:00:00Z"), "h", "u",
                    "r", List.of(), null, "/", treeId, null, null));
        }
    }

    private static Set<BlobId> affected(CheckReport report) {
        Set<BlobId> all = new HashSet<>();
        report.findings().forEach(f -> all.addAll(f.blobs()));
        return all;
    }

    @Test
    @DisplayName("a pack of 8,000 small blobs, whose header is longer than the tail read first, verifies and rebuilds")
    void packWithALargeHeader() throws IOException {
        InMemoryStorage many = new InMemoryStorage();
        Map<BlobId, byte[]> small = new LinkedHashMap<>();
        try (Repository repo = Repository.init(many, PASSWORD, OPTIONS)) {
            for (int i = 0; i < 8_000; i++) {
                byte[] b = random(1_000_000 + i, 40);
                small.put(repo.saveBlob(BlobType.DATA, b, 0, b.length).id(), b);
            }
        }
        List<FileInfo> packs = Repository.list(many, Kind.PACK);
        assertThat(packs).singleElement().satisfies(p -> assertThat(8_000L * io.restorekit.repository.pack.PackHeader.ENTRY)
                .isGreaterThan(256 << 10));
        try (Repository repo = Repository.open(many, PASSWORD)) {
            CheckReport full = repo.check(true, ProgressListener.NONE);
            assertThat(full.findings()).isEmpty();
            assertThat(full.blobs()).isEqualTo(8_000);
            RebuildResult rebuilt = repo.rebuildIndex(ProgressListener.NONE);
            assertThat(rebuilt.blobs()).isEqualTo(8_000);
            assertThat(rebuilt.unreadablePacks()).isEmpty();
        }
        try (Repository repo = Repository.open(many, PASSWORD)) {
            for (Map.Entry<BlobId, byte[]> e : small.entrySet()) {
                assertThat(repo.loadBlob(BlobType.DATA, e.getKey())).isEqualTo(e.getValue());
            }
        }
    }

    @Test
    @DisplayName("a healthy repository has no findings, with or without reading data")
    void healthy() throws IOException {
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            CheckReport structure = repo.check(false, ProgressListener.NONE);
            assertThat(structure.findings()).isEmpty();
            assertThat(structure.packs()).isEqualTo(Repository.list(storage, Kind.PACK).size()).isGreaterThanOrEqualTo(3);
            assertThat(structure.snapshots()).isEqualTo(1);
            assertThat(structure.blobs()).isEqualTo(25);
            CheckReport full = repo.check(true, ProgressListener.NONE);
            assertThat(full.findings()).isEmpty();
            assertThat(full.bytesRead()).isEqualTo(Repository.list(storage, Kind.PACK).stream().mapToLong(FileInfo::size).sum());
        }
    }

    @Test
    @DisplayName("a flipped byte inside one blob is reported against exactly that blob; loading it fails")
    void flippedByte() throws IOException {
        BlobId victim;
        String packId;
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            victim = blobs.keySet().stream().skip(5).findFirst().orElseThrow();
            var found = repo.index().find(BlobType.DATA, victim);
            packId = found.packId();
            Handle pack = new Handle(Kind.PACK, packId);
            byte[] bytes = storage.readAll(pack);
            bytes[found.entry().offset() + 40] ^= 0x01;
            storage.tamper(pack, bytes);
        }
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            assertThat(repo.check(false, ProgressListener.NONE).findings()).isEmpty();
            CheckReport report = repo.check(true, ProgressListener.NONE);
            assertThat(report.ok()).isFalse();
            assertThat(affected(report)).containsExactly(victim);
            Finding f = report.errors().get(0);
            assertThat(f.object()).isEqualTo("data/" + packId.substring(0, 2) + "/" + packId);
            assertThat(f.message()).contains(victim.shortHex());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> repo.loadBlob(BlobType.DATA, victim))
                    .isInstanceOf(RepositoryCorruptException.class)
                    .hasMessageContaining(victim.hex()).hasMessageContaining(packId);
            for (var e : blobs.entrySet()) {
                if (!e.getKey().equals(victim)) {
                    assertThat(repo.loadBlob(BlobType.DATA, e.getKey())).isEqualTo(e.getValue());
                }
            }
        }
    }

    @Test
    @DisplayName("in a local repository, a flipped byte in a compressed blob and one in a pack header are each"
            + " reported against exactly what they damage")
    void localPacks(@TempDir Path dir) throws IOException {
        LocalStorage local = new LocalStorage(dir);
        // ids are keyed by the repository's own key: the same content has other ids here
        List<BlobId> ids = new ArrayList<>();
        try (Repository repo = Repository.init(local, PASSWORD, OPTIONS)) {
            for (byte[] b : blobs.values()) {
                ids.add(repo.saveBlob(BlobType.DATA, b, 0, b.length).id());
            }
        }
        try (Repository repo = Repository.open(local, PASSWORD)) {
            assertThat(repo.check(true, ProgressListener.NONE).findings()).isEmpty();
            // a text blob (stored compressed) and a pack holding none of it
            BlobId victim = ids.get(0);
            var found = repo.index().find(BlobType.DATA, victim);
            assertThat(found.entry().rawLength()).isPositive();
            String other = ids.stream().map(id -> repo.index().find(BlobType.DATA, id).packId())
                    .filter(p -> !p.equals(found.packId())).findFirst().orElseThrow();
            Set<BlobId> inOther = new HashSet<>();
            ids.stream().filter(id -> repo.index().find(BlobType.DATA, id).packId().equals(other))
                    .forEach(inOther::add);
            flip(dir, found.packId(), found.entry().offset() + found.entry().storedLength() / 2);
            flip(dir, other, (int) Files.size(packFile(dir, other)) - 10);
            CheckReport report = repo.check(true, ProgressListener.NONE);
            assertThat(report.errors()).hasSize(2);
            Finding blob = report.errors().stream().filter(f -> f.object().endsWith(found.packId())).findFirst()
                    .orElseThrow();
            assertThat(blob.blobs()).containsExactly(victim);
            assertThat(blob.message()).contains(victim.shortHex()).doesNotContain("matches its name");
            Finding header = report.errors().stream().filter(f -> f.object().endsWith(other)).findFirst().orElseThrow();
            assertThat(header.message()).contains("header cannot be read").contains("does not match its name");
            assertThat(header.blobs()).isEqualTo(inOther);
        }
    }

    private static Path packFile(Path dir, String id) {
        return dir.resolve("data").resolve(id.substring(0, 2)).resolve(id);
    }

    private static void flip(Path dir, String pack, int at) throws IOException {
        Path file = packFile(dir, pack);
        byte[] bytes = Files.readAllBytes(file);
        bytes[at] ^= 0x01;
        file.toFile().setWritable(true);
        Files.write(file, bytes);
    }

    @Test
    @DisplayName("a genuine pack saved under another pack's name is reported against the blobs the index places there")
    void packUnderAnotherName() throws IOException {
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            // the smallest data pack takes the content of the largest (a shorter one would also be truncated)
            Map<String, Long> sizes = new HashMap<>();
            Repository.list(storage, Kind.PACK).forEach(f -> sizes.put(f.handle().name(), f.size()));
            List<String> packs = blobs.keySet().stream().map(id -> repo.index().find(BlobType.DATA, id).packId())
                    .distinct().sorted(Comparator.comparing(sizes::get)).toList();
            assertThat(packs).hasSizeGreaterThanOrEqualTo(2);
            Set<BlobId> inFirst = new HashSet<>();
            for (BlobId id : blobs.keySet()) {
                if (repo.index().find(BlobType.DATA, id).packId().equals(packs.get(0))) {
                    inFirst.add(id);
                }
            }
            // every seal of the second pack authenticates: only the index tells the two apart
            storage.tamper(new Handle(Kind.PACK, packs.get(0)),
                    storage.readAll(new Handle(Kind.PACK, packs.get(packs.size() - 1))));
            CheckReport report = repo.check(true, ProgressListener.NONE);
            assertThat(report.errors()).hasSize(1);
            Finding f = report.errors().get(0);
            assertThat(f.object()).endsWith("/" + packs.get(0));
            assertThat(f.message()).contains("differently from the pack header");
            assertThat(f.blobs()).isEqualTo(inFirst);
        }
    }

    @Test
    @DisplayName("a pack saved with a damaged blob inside (it matches its name) is told apart from damage in storage")
    void damagedBeforeSaving() throws IOException {
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            BlobId victim = blobs.keySet().stream().skip(3).findFirst().orElseThrow();
            var found = repo.index().find(BlobType.DATA, victim);
            byte[] bytes = storage.readAll(new Handle(Kind.PACK, found.packId()));
            bytes[found.entry().offset() + 20] ^= 0x01;
            // as a writer would have saved it: named after its (damaged) content
            String name = Hex.encode(Sha256.digest(bytes));
            storage.save(new Handle(Kind.PACK, name), Payload.of(bytes));
            CheckReport report = repo.check(true, ProgressListener.NONE);
            Finding f = report.errors().stream().filter(e -> e.object().endsWith(name)).findFirst().orElseThrow();
            assertThat(f.blobs()).containsExactly(victim);
            assertThat(f.message()).contains("matches its name").contains("before it was saved");
            // the genuine pack it was copied from reads correctly
            assertThat(report.errors()).noneMatch(e -> e.object().endsWith(found.packId()));
        }
    }

    @Test
    @DisplayName("a missing pack is an error naming every blob it held")
    void missingPack() throws IOException {
        BlobId some = blobs.keySet().iterator().next();
        Set<BlobId> inPack = new HashSet<>();
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            String packId = repo.index().find(BlobType.DATA, some).packId();
            for (BlobId id : blobs.keySet()) {
                if (repo.index().find(BlobType.DATA, id).packId().equals(packId)) {
                    inPack.add(id);
                }
            }
            storage.remove(new Handle(Kind.PACK, packId));
            CheckReport report = repo.check(false, ProgressListener.NONE);
            assertThat(report.errors()).hasSize(1);
            assertThat(report.errors().get(0).message()).contains("missing");
            assertThat(affected(report)).isEqualTo(inPack).hasSizeGreaterThan(1);
        }
    }

    @Test
    @DisplayName("packs no index names are warnings; rebuilding the index from pack headers brings every blob back")
    void rebuild() throws IOException {
        List<FileInfo> indexes = Repository.list(storage, Kind.INDEX);
        for (FileInfo f : indexes) {
            storage.remove(f.handle());
        }
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            assertThat(repo.has(BlobType.DATA, blobs.keySet().iterator().next())).isFalse();
            CheckReport report = repo.check(false, ProgressListener.NONE);
            int packs = Repository.list(storage, Kind.PACK).size();
            assertThat(report.warnings()).hasSize(packs)
                    .allMatch(f -> f.message().startsWith("unreferenced pack, probably from an interrupted backup"));
            // the snapshot's tree is now in no index
            assertThat(report.errors()).hasSize(1).allMatch(f -> f.object().startsWith("snapshots/"));

            RebuildResult result = repo.rebuildIndex(ProgressListener.NONE);
            assertThat(result.packs()).isEqualTo(packs);
            assertThat(result.blobs()).isEqualTo(25);
            assertThat(result.unreadablePacks()).isEmpty();
        }
        assertThat(Repository.list(storage, Kind.INDEX)).hasSize(1);
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            for (var e : blobs.entrySet()) {
                assertThat(repo.loadBlob(BlobType.DATA, e.getKey())).isEqualTo(e.getValue());
            }
            assertThat(repo.check(true, ProgressListener.NONE).findings()).isEmpty();
        }
    }

    @Test
    @DisplayName("a pack whose header is damaged keeps its old index entries through a rebuild, so its blobs stay readable")
    void rebuildKeepsOldEntriesOfDamagedHeaders() throws IOException {
        FileInfo pack = Repository.list(storage, Kind.PACK).stream().max(Comparator.comparingLong(FileInfo::size))
                .orElseThrow();
        byte[] bytes = storage.readAll(pack.handle());
        bytes[bytes.length - 10] ^= 0x40; // inside the sealed header, at the end of the pack
        storage.tamper(pack.handle(), bytes);
        int indexFiles = Repository.list(storage, Kind.INDEX).size();

        try (Repository repo = Repository.open(storage, PASSWORD)) {
            RebuildResult result = repo.rebuildIndex(ProgressListener.NONE);
            assertThat(result.unreadablePacks()).containsExactly(pack.handle().name());
            assertThat(result.replacedIndexFiles()).isZero();
        }
        assertThat(Repository.list(storage, Kind.INDEX)).hasSize(indexFiles + 1);
        try (Repository repo = Repository.open(storage, PASSWORD)) {
            for (var e : blobs.entrySet()) {
                assertThat(repo.loadBlob(BlobType.DATA, e.getKey())).isEqualTo(e.getValue());
            }
        }
    }
}
