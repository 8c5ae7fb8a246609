package io.restorekit.resilience;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.restore.RestoreRequest;
import io.restorekit.restore.RestoreResult;
import io.restorekit.restore.RestoreService;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Kind;
import io.restorekit.storage.Storage;
import io.restorekit.storage.local.LocalStorage;
import io.restorekit.verify.VerifyReport;
import io.restorekit.verify.VerifyRequest;
import io.restorekit.verify.VerifyService;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Folder repositories, random trees and whole-repository snapshots shared by the resilience tests. */
final class Resilience {
    static final String PASSWORD = "correct horse";

    private Resilience() {
    }

    static RepositoryOptions options(int packSize) {
        return new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), packSize);
    }

    /** Creates a folder repository at {@code dir} and closes it again. */
    static void initRepository(Path dir, int packSize) throws IOException {
        Repository.init(LocalStorage.create(dir), PASSWORD.toCharArray(), options(packSize)).close();
    }

    static Repository open(Path dir) throws IOException {
        return Repository.open(new LocalStorage(dir), PASSWORD.toCharArray());
    }

    static Repository open(Storage storage) throws IOException {
        return Repository.open(storage, PASSWORD.toCharArray());
    }

    /**
     * Writes {@code files} random files (sizes uniform in [minSize, maxSize]) spread over a few
     * folders; returns the total bytes.
     */
    static long randomTree(Path root, long seed, int files, int minSize, int maxSize) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        long total = 0;
        for (int i = 0; i < files; i++) {
            int size = minSize + random.nextInt(maxSize - minSize + 1);
            byte[] content = new byte[size];
            fill(random, content);
            Path file = root.resolve("dir" + (i % 4)).resolve("file-" + i + ".bin");
            Files.createDirectories(file.getParent());
            Files.write(file, content);
            total += size;
        }
        return total;
    }

    static void fill(SplittableRandom random, byte[] bytes) {
        int i = 0;
        for (; i + 8 <= bytes.length; i += 8) {
            long v = random.nextLong();
            for (int b = 0; b < 8; b++) {
                bytes[i + b] = (byte) (v >>> (8 * b));
            }
        }
        for (; i < bytes.length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
    }

    static FilesSourceSpec source(String name, Path path) {
        return new FilesSourceSpec(name, path, List.of(), null);
    }

    static BackupResult backup(Repository repository, FilesSourceSpec spec) {
        return new BackupService(repository).backup(BackupRequest.of(List.of(spec)), ProgressListener.NONE);
    }

    static BackupResult.SourceResult backupOk(Repository repository, FilesSourceSpec spec) {
        BackupResult result = backup(repository, spec);
        assertThat(result.sources().get(0).error()).as("backup error").isNull();
        assertThat(result.succeeded()).isTrue();
        return result.sources().get(0);
    }

    static RestoreResult restoreAll(Repository repository, String source, String snapshot, Path target) {
        return new RestoreService(repository).restore(new RestoreRequest(source, snapshot, null, List.of(), target,
                false, false), ProgressListener.NONE);
    }

    static VerifyReport verify(Repository repository, boolean readData) {
        return new VerifyService(repository).verify(new VerifyRequest(null, readData), ProgressListener.NONE);
    }

    /** Asserts that {@code out} holds the same tree as {@code source}: content, modes, times. */
    static void assertRestored(Path source, Path out) throws IOException {
        FilesFixtures.assertSameTree(source, out);
    }

    /** Every file under the repository folder (temporary ones included) with its SHA-256. */
    static Map<String, String> everyObject(Path repositoryDir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(repositoryDir)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                out.put(repositoryDir.relativize(p).toString(), FilesFixtures.sha(p));
            }
        }
        return out;
    }

    /** Every object {@code storage.list} reports, as paths relative to the repository root. */
    static List<String> listed(Storage storage) throws IOException {
        List<String> out = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            storage.list(kind, (FileInfo f) -> out.add(f.handle().path()));
        }
        return out;
    }

    /** Temporary files (left by interrupted saves) anywhere under the repository folder. */
    static List<String> temporaryFiles(Path repositoryDir) throws IOException {
        try (Stream<Path> all = Files.walk(repositoryDir)) {
            return all.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().startsWith(LocalStorage.TEMP_PREFIX))
                    .map(p -> repositoryDir.relativize(p).toString()).sorted().toList();
        }
    }

    static long count(Storage storage, Kind kind) throws IOException {
        long[] n = {0};
        storage.list(kind, f -> n[0]++);
        return n[0];
    }
}
