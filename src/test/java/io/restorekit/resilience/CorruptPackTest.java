package io.restorekit.resilience;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryCorruptException;
import io.restorekit.restore.RestoreRequest;
import io.restorekit.restore.RestoreService;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Kind;
import io.restorekit.storage.local.LocalStorage;
import io.restorekit.verify.VerifyReport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayName("A flipped byte in a data pack on disk")
class CorruptPackTest {
    private static final String DAMAGED = "dir1/file-0.bin";

    @TempDir
    Path tmp;

    @Test
    @DisplayName("passes the structure check, is reported by --read-data against the file and both snapshots, "
            + "and fails only that file's restore, naming it")
    void flippedByte() throws IOException {
        Path source = tmp.resolve("src");
        Path repoDir = tmp.resolve("repo");
        Resilience.initRepository(repoDir, 1 << 20);
        LocalStorage storage = new LocalStorage(repoDir);

        // The damaged file is backed up alone first, so its content is the only data pack of that run.
        Resilience.randomTree(tmp.resolve("first"), 5, 1, 200_000, 200_000);
        Files.createDirectories(source.resolve("dir1"));
        Files.move(tmp.resolve("first/dir0/file-0.bin"), source.resolve(DAMAGED));
        String first;
        String second;
        try (Repository repository = Resilience.open(repoDir)) {
            first = Resilience.backupOk(repository, Resilience.source("uploads", source)).snapshotId();
        }
        List<FileInfo> dataPacks = new ArrayList<>();
        storage.list(Kind.PACK, f -> {
            if (f.size() > 200_000) {
                dataPacks.add(f);
            }
        });
        assertThat(dataPacks).hasSize(1);
        FileInfo pack = dataPacks.get(0);
        Resilience.randomTree(source.resolve("more"), 6, 11, 40_000, 60_000);
        try (Repository repository = Resilience.open(repoDir)) {
            second = Resilience.backupOk(repository, Resilience.source("uploads", source)).snapshotId();
        }

        Path packFile = repoDir.resolve(pack.handle().path());
        byte[] bytes = Files.readAllBytes(packFile);
        bytes[100_000] ^= 0x40;
        Files.write(packFile, bytes);

        try (Repository repository = Resilience.open(repoDir)) {
            VerifyReport structure = Resilience.verify(repository, false);
            assertThat(structure.problems()).isEmpty();

            VerifyReport data = Resilience.verify(repository, true);
            assertThat(data.ok()).isFalse();
            List<VerifyReport.Problem> errors = data.problems().stream()
                    .filter(p -> p.severity() == VerifyReport.Severity.ERROR).toList();
            assertThat(errors).hasSize(1);
            VerifyReport.Problem problem = errors.get(0);
            assertThat(problem.object()).isEqualTo(pack.handle().path());
            assertThat(problem.snapshots()).containsExactlyInAnyOrder(first, second);
            assertThat(problem.files()).containsExactlyInAnyOrder(
                    first.substring(0, 8) + ":uploads:" + DAMAGED, second.substring(0, 8) + ":uploads:" + DAMAGED);

            RestoreService restore = new RestoreService(repository);
            List<String> others;
            try (Stream<Path> files = Files.walk(source)) {
                others = files.filter(Files::isRegularFile).map(p -> source.relativize(p).toString())
                        .filter(p -> !p.equals(DAMAGED)).sorted().toList();
            }
            assertThat(others).hasSize(11);
            Path out = tmp.resolve("out");
            restore.restore(new RestoreRequest("uploads", null, null, others, out, false, false),
                    ProgressListener.NONE);
            for (String f : others) {
                assertThat(out.resolve(f)).hasSameBinaryContentAs(source.resolve(f));
            }

            Path out2 = tmp.resolve("out2");
            RepositoryCorruptException e = catchThrowableOfType(() -> restore.restore(new RestoreRequest("uploads",
                    null, null, List.of(DAMAGED), out2, false, false), ProgressListener.NONE),
                    RepositoryCorruptException.class);
            assertThat(e).isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.PROBLEMS_FOUND);
            assertThat(e.getMessage())
                    .startsWith("cannot restore '" + DAMAGED + "' from snapshot " + second.substring(0, 8) + ": ")
                    .contains("in pack " + pack.handle().name())
                    .contains("fails authentication")
                    .contains("run 'rk verify --read-data'");
            assertThat(e.getCause()).isInstanceOf(RkException.class);
            // Nothing half-written is left where the file would have gone.
            try (Stream<Path> left = Files.walk(out2)) {
                assertThat(left.filter(Files::isRegularFile).collect(Collectors.toSet())).isEqualTo(Set.of());
            }
        }
    }
}
