package io.restorekit.verify;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.Repository;
import io.restorekit.restore.RestoreRequest;
import io.restorekit.restore.RestoreService;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Kind;
import io.restorekit.storage.memory.InMemoryStorage;
import io.restorekit.repository.RepositoryOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VerifyServiceTest {
    @TempDir
    Path tmp;
    InMemoryStorage storage;
    Repository repository;
    FilesSourceSpec spec;
    Path source;

    @BeforeEach
    void setUp() throws IOException {
        storage = new InMemoryStorage();
        repository = Repository.init(storage, "pw".toCharArray(),
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20));
        source = tmp.resolve("src");
        Random random = new Random(7);
        for (int i = 0; i < 12; i++) {
            byte[] content = new byte[40_000 + i * 1000];
            random.nextBytes(content);
            Path f = source.resolve("dir" + (i % 3)).resolve("file-" + i + ".bin");
            Files.createDirectories(f.getParent());
            Files.write(f, content);
        }
        spec = new FilesSourceSpec("uploads", source, List.of(), null);
        BackupResult r = new BackupService(repository).backup(BackupRequest.of(List.of(spec)), ProgressListener.NONE);
        assertThat(r.succeeded()).isTrue();
    }

    @AfterEach
    void tearDown() throws IOException {
        repository.close();
    }

    VerifyReport verify(boolean readData) {
        return new VerifyService(repository).verify(new VerifyRequest(null, readData), ProgressListener.NONE);
    }

    String snapshotId() {
        try {
            return repository.snapshots().get(0).id();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    List<FileInfo> packs() throws IOException {
        List<FileInfo> packs = new ArrayList<>();
        storage.list(Kind.PACK, packs::add);
        return packs;
    }

    @Test
    @DisplayName("a whole repository verifies, structure and every byte")
    void wholeRepositoryVerifies() {
        VerifyReport structure = verify(false);
        VerifyReport data = verify(true);
        assertThat(structure.problems()).isEmpty();
        assertThat(data.problems()).isEmpty();
        assertThat(data.ok()).isTrue();
        assertThat(data.files()).isEqualTo(12);
        assertThat(data.bytesRead()).isGreaterThan(12 * 40_000L);
    }

    @Test
    @DisplayName("a flipped byte in a pack is found by --read-data, which names the one affected file; the others still restore")
    void flippedByteNamesTheAffectedFile() throws IOException {
        // The data packs hold only file contents; flip a byte early in the first one: it lands in its first blob.
        FileInfo pack = packs().stream().filter(p -> p.size() > 100_000).findFirst().orElseThrow();
        byte[] bytes = storage.readAll(pack.handle());
        bytes[50] ^= 0x01;
        storage.tamper(pack.handle(), bytes);

        VerifyReport report = verify(true);

        assertThat(report.ok()).isFalse();
        assertThat(report.errors()).isGreaterThanOrEqualTo(1);
        List<String> affected = report.problems().stream().flatMap(p -> p.files().stream()).distinct().toList();
        assertThat(affected).hasSize(1);
        String damaged = affected.get(0).substring(affected.get(0).indexOf(":uploads:") + ":uploads:".length());

        RestoreService restore = new RestoreService(repository);
        Path target = tmp.resolve("out");
        List<String> others = new ArrayList<>();
        try (var files = Files.walk(source)) {
            files.filter(Files::isRegularFile).map(p -> source.relativize(p).toString())
                    .filter(p -> !p.equals(damaged)).forEach(others::add);
        }
        assertThat(others).hasSize(11);
        restore.restore(new RestoreRequest("uploads", null, null, others, target, false, false), ProgressListener.NONE);
        for (String f : others) {
            assertThat(Files.readAllBytes(target.resolve(f))).isEqualTo(Files.readAllBytes(source.resolve(f)));
        }
        assertThatThrownBy(() -> restore.restore(new RestoreRequest("uploads", null, null, List.of(damaged),
                tmp.resolve("out2"), false, false), ProgressListener.NONE)).hasMessageContaining(damaged.substring(damaged.lastIndexOf('/') + 1));
    }

    @Test
    @DisplayName("a missing dictionary is found by --read-data, which names the small files stored with it; a large file still restores")
    void missingDictionaryNamesItsFiles() throws IOException {
        Path docs = tmp.resolve("docs");
        FilesFixtures.documents(docs, 900, 3);
        byte[] large = new byte[600_000];
        new Random(4).nextBytes(large);
        Files.write(docs.resolve("scan.bin"), large);
        InMemoryStorage store = new InMemoryStorage();
        FilesSourceSpec documents = new FilesSourceSpec("docs", docs, List.of(), null);
        try (Repository repo = Repository.init(store, "pw".toCharArray(),
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20))) {
            assertThat(new BackupService(repo).backup(BackupRequest.of(List.of(documents)), ProgressListener.NONE)
                    .succeeded()).isTrue();
        }
        // The next day's documents: a backup that finds the dictionary compresses every one with it.
        FilesFixtures.documents(docs.resolve("next day"), 300, 5);
        try (Repository repo = Repository.open(store, "pw".toCharArray())) {
            assertThat(new BackupService(repo).backup(BackupRequest.of(List.of(documents)), ProgressListener.NONE)
                    .succeeded()).isTrue();
        }
        List<FileInfo> dictionaries = new ArrayList<>();
        store.list(Kind.DICT, dictionaries::add);
        assertThat(dictionaries).hasSize(1);
        store.remove(dictionaries.get(0).handle());

        try (Repository repo = Repository.open(store, "pw".toCharArray())) {
            VerifyReport report = new VerifyService(repo).verify(new VerifyRequest(null, true), ProgressListener.NONE);
            assertThat(report.ok()).isFalse();
            assertThat(report.problems()).allSatisfy(p -> assertThat(p.message()).contains("zstd dictionary"));
            List<String> affected = report.problems().stream().flatMap(p -> p.files().stream())
                    .map(f -> f.substring(f.indexOf(":docs:") + ":docs:".length())).distinct().toList();
            // (the report names up to 50 files per problem)
            assertThat(affected).isNotEmpty().allMatch(f -> f.contains("invoice-")).doesNotContain("scan.bin");
            String lost = "next day/invoice-00000.json";
            RestoreService restore = new RestoreService(repo);
            Path out = tmp.resolve("docs-out");
            restore.restore(new RestoreRequest("docs", null, null, List.of("scan.bin"), out, false, false),
                    ProgressListener.NONE);
            assertThat(Files.readAllBytes(out.resolve("scan.bin"))).isEqualTo(large);
            assertThatThrownBy(() -> restore.restore(new RestoreRequest("docs", null, null, List.of(lost),
                    tmp.resolve("docs-out2"), false, false), ProgressListener.NONE))
                    .hasMessageContaining("zstd dictionary");
        }
    }

    @Test
    @DisplayName("a missing pack is found by the structure check, with every affected file and snapshot")
    void missingPackIsReported() throws IOException {
        FileInfo pack = packs().stream().filter(p -> p.size() > 100_000).findFirst().orElseThrow();
        storage.remove(pack.handle());

        VerifyReport report = verify(false);

        assertThat(report.ok()).isFalse();
        VerifyReport.Problem problem = report.problems().stream()
                .filter(p -> p.severity() == VerifyReport.Severity.ERROR).findFirst().orElseThrow();
        assertThat(problem.object()).contains(pack.handle().name());
        assertThat(problem.snapshots()).hasSize(1);
        assertThat(problem.files()).isNotEmpty().allMatch(f -> f.contains(":uploads:dir"));
    }

    @Test
    @DisplayName("verifying one snapshot with --read-data reads only the blobs it needs")
    void oneSnapshotWithReadData() {
        String id = snapshotId();
        VerifyReport report = new VerifyService(repository).verify(new VerifyRequest(id.substring(0, 8), true),
                ProgressListener.NONE);
        assertThat(report.ok()).isTrue();
        assertThat(report.snapshots()).isEqualTo(1);
        assertThat(report.blobs()).isEqualTo(12);
    }
}
