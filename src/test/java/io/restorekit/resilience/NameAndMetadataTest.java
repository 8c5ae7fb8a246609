package io.restorekit.resilience;

import io.restorekit.backup.BackupResult;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryConfig;
import io.restorekit.repository.Snapshot;
import io.restorekit.common.ProgressListener;
import io.restorekit.restore.RestoreRequest;
import io.restorekit.restore.RestoreService;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.files.Node;
import io.restorekit.source.files.TreeReader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Trees beyond those of {@code FilesBackupTest} (which covers odd names, links, modes, times and
 * empty files and folders): very deep, very wide, files at the chunker's size limits, and a large
 * sparse file of zeros.
 */
@DisplayName("Large and awkward trees")
class NameAndMetadataTest {
    private static final int DEPTH = 200;
    private static final int WIDE = 10_000;

    @TempDir
    Path tmp;

    @Test
    @DisplayName("a 200-deep folder chain, 10,000 files in one folder and files at the min/max chunk sizes are stored whole and restore")
    void deepWideAndChunkLimits() throws IOException {
        Path repoDir = tmp.resolve("repo");
        Resilience.initRepository(repoDir, 16 << 20);
        Path source = tmp.resolve("src");
        SplittableRandom random = new SplittableRandom(99);

        Path deep = source.resolve("deep");
        for (int i = 0; i < DEPTH; i++) {
            deep = deep.resolve(String.format("d%03d", i));
        }
        Files.createDirectories(deep);
        Files.writeString(deep.resolve("bottom.txt"), "at the bottom");
        Files.writeString(source.resolve("deep/d000/top.txt"), "near the top");

        Path wide = Files.createDirectories(source.resolve("wide"));
        for (int i = 0; i < WIDE; i++) {
            byte[] content = new byte[random.nextInt(64)];
            Resilience.fill(random, content);
            Files.write(wide.resolve(String.format("f%05d", i)), content);
        }

        try (Repository repository = Resilience.open(repoDir)) {
            RepositoryConfig.ChunkerParams chunker = repository.config().chunker();
            Path sizes = Files.createDirectories(source.resolve("sizes"));
            for (int size : new int[] {0, 1, chunker.min() - 1, chunker.min(), chunker.min() + 1, chunker.max(),
                    chunker.max() + 1}) {
                byte[] content = new byte[size];
                Resilience.fill(random, content);
                Files.write(sizes.resolve("size-" + size), content);
            }

            BackupResult.SourceResult r = Resilience.backupOk(repository, Resilience.source("names", source));
            assertThat(r.warnings()).isEmpty();
            assertThat(r.summary().files()).isEqualTo(WIDE + 2 + 7);

            Snapshot snapshot = repository.loadSnapshot(r.snapshotId());
            TreeReader trees = new TreeReader(repository);
            assertThat(chunks(trees, snapshot, "sizes/size-0")).isZero();
            assertThat(chunks(trees, snapshot, "sizes/size-" + (chunker.min() - 1))).isEqualTo(1);
            assertThat(chunks(trees, snapshot, "sizes/size-" + chunker.min())).isEqualTo(1);
            assertThat(chunks(trees, snapshot, "sizes/size-" + (chunker.max() + 1))).isGreaterThanOrEqualTo(2);

            // All 10,000 entries are in the one tree blob of the folder, in name order, with their content hash.
            Node wideNode = trees.find(snapshot.tree(), List.of("wide")).orElseThrow();
            List<Node> entries = trees.load(wideNode.subtree()).nodes();
            assertThat(entries).hasSize(WIDE);
            for (int i = 0; i < WIDE; i++) {
                Node entry = entries.get(i);
                assertThat(entry.name()).isEqualTo(String.format("f%05d", i));
                assertThat(entry.sha256()).isEqualTo(FilesFixtures.sha(wide.resolve(entry.name())));
            }

            // Restoring 10,000 files costs ~14 s on this machine's file system: a sample of the wide
            // folder, picked through the big tree, stands for it; the rest is restored whole.
            List<String> selection = new ArrayList<>(List.of("deep", "sizes"));
            for (int i = 0; i < WIDE; i += 50) {
                selection.add(String.format("wide/f%05d", i));
            }
            Path out = tmp.resolve("out");
            new RestoreService(repository).restore(new RestoreRequest("names", null, null, selection, out, false,
                    false), ProgressListener.NONE);
            Resilience.assertRestored(source.resolve("deep"), out.resolve("deep"));
            Resilience.assertRestored(source.resolve("sizes"), out.resolve("sizes"));
            try (Stream<Path> restored = Files.list(out.resolve("wide"))) {
                assertThat(restored).hasSize(WIDE / 50);
            }
            for (int i = 0; i < WIDE; i += 50) {
                String name = String.format("f%05d", i);
                assertThat(out.resolve("wide").resolve(name)).hasSameBinaryContentAs(wide.resolve(name));
            }
            assertThat(Resilience.verify(repository, true).problems()).isEmpty();
        }
    }

    @Test
    @DisplayName("a sparse 64 MiB file of zeros stores as one small blob and restores in full")
    void sparseZeros() throws IOException {
        Path repoDir = tmp.resolve("repo");
        Resilience.initRepository(repoDir, 16 << 20);
        Path source = Files.createDirectories(tmp.resolve("src"));
        long size = 64L << 20;
        try (RandomAccessFile file = new RandomAccessFile(source.resolve("sparse.img").toFile(), "rw")) {
            file.setLength(size);
        }
        long before = Resilience.everyObject(repoDir).keySet().stream()
                .mapToLong(p -> repoDir.resolve(p).toFile().length()).sum();
        try (Repository repository = Resilience.open(repoDir)) {
            int maxChunk = repository.config().chunker().max();
            BackupResult.SourceResult r = Resilience.backupOk(repository, Resilience.source("zeros", source));
            assertThat(r.summary().bytes()).isEqualTo(size);
            assertThat(r.summary().addedBytes()).as("one zero chunk, plus the tree").isLessThanOrEqualTo(maxChunk + 4096L);
            assertThat(r.summary().storedBytes()).isLessThan(1 << 20);

            Snapshot snapshot = repository.loadSnapshot(r.snapshotId());
            Node node = new TreeReader(repository).find(snapshot.tree(), List.of("sparse.img")).orElseThrow();
            assertThat(new HashSet<BlobId>(node.content())).hasSize(1);

            Path out = tmp.resolve("out");
            Resilience.restoreAll(repository, "zeros", null, out);
            Resilience.assertRestored(source, out);
            assertThat(Files.size(out.resolve("sparse.img"))).isEqualTo(size);
        }
        long after = Resilience.everyObject(repoDir).keySet().stream()
                .mapToLong(p -> repoDir.resolve(p).toFile().length()).sum();
        assertThat(after - before).as("repository growth for 64 MiB of zeros").isLessThan(1 << 20);
    }

    private static int chunks(TreeReader trees, Snapshot snapshot, String path) throws IOException {
        Node node = trees.find(snapshot.tree(), TreeReader.splitPath(path)).orElseThrow();
        return node.content() == null ? 0 : node.content().size();
    }
}
