package io.restorekit.retention;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.repository.Snapshot;
import io.restorekit.restore.RestoreRequest;
import io.restorekit.restore.RestoreService;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.storage.Storage;
import io.restorekit.storage.local.LocalStorage;
import io.restorekit.verify.VerifyReport;
import io.restorekit.verify.VerifyRequest;
import io.restorekit.verify.VerifyService;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A folder repository with daily snapshots of a changing tree, and the checks the prune tests share. */
final class PruneFixture {
    static final String PASSWORD = "correct horse";
    static final int PACK_SIZE = 512 << 10;
    static final Instant DAY0 = Instant.parse("2026-11-01T03:00:00Z");

    private PruneFixture() {
    }

    static Repository init(Path dir) throws IOException {
        return Repository.init(LocalStorage.create(dir), PASSWORD.toCharArray(),
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), PACK_SIZE));
    }

    static Repository open(Storage storage) throws IOException {
        return Repository.open(storage, PASSWORD.toCharArray());
    }

    static FilesSourceSpec source(Path dir) {
        return new FilesSourceSpec("uploads", dir, List.of(), null);
    }

    /**
     * Backup {@code k} of {@code days}: before it, about a third of the 24 files (chosen at random)
     * get new random content, so packs end up partly used once old snapshots go.
     */
    static void dailyBackups(Repository repository, Path src, int days, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        for (int k = 0; k < days; k++) {
            for (int i = 0; i < 24; i++) {
                if (k == 0 || random.nextInt(3) == 0) {
                    byte[] content = new byte[8_000 + random.nextInt(32_000)];
                    random.nextBytes(content);
                    Path file = src.resolve("dir" + (i % 3)).resolve("file-" + i + ".bin");
                    Files.createDirectories(file.getParent());
                    Files.write(file, content);
                }
            }
            backup(repository, src, DAY0.plusSeconds(86_400L * k));
        }
    }

    static Snapshot backup(Repository repository, Path src, Instant time) {
        BackupResult result = new BackupService(repository).backup(new BackupRequest(List.of(source(src)), List.of(),
                time, null, null), ProgressListener.NONE);
        assertThat(result.succeeded()).as("backup succeeded").isTrue();
        try {
            return repository.loadSnapshot(result.sources().get(0).snapshotId());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every snapshot restored under {@code scratch}: id to the described tree. */
    static Map<String, Map<String, String>> restoreAll(Repository repository, Path scratch) throws IOException {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (Snapshot s : repository.snapshots()) {
            Path target = Files.createTempDirectory(Files.createDirectories(scratch), "restore-");
            new RestoreService(repository).restore(new RestoreRequest(s.source(), s.id(), null, List.of(), target,
                    false, false), ProgressListener.NONE);
            out.put(s.id(), FilesFixtures.describe(target));
        }
        return out;
    }

    static VerifyReport verify(Repository repository) {
        return new VerifyService(repository).verify(new VerifyRequest(null, true), ProgressListener.NONE);
    }

    static void assertVerifies(Repository repository) {
        VerifyReport report = verify(repository);
        assertThat(report.problems()).as("verify --read-data problems")
                .filteredOn(p -> p.severity() == VerifyReport.Severity.ERROR).isEmpty();
    }

    static long packBytes(Path repoDir) throws IOException {
        try (Stream<Path> all = Files.walk(repoDir.resolve("data"))) {
            return all.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
