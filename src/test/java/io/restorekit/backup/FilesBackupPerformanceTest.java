package io.restorekit.backup;

import io.restorekit.common.ProgressListener;
import io.restorekit.repository.Repository;
import io.restorekit.restore.RestoreRequest;
import io.restorekit.restore.RestoreResult;
import io.restorekit.restore.RestoreService;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.files.FilesSourceSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Figures for a mixed tree; run with {@code -Drk.perf=true}. */
@EnabledIfSystemProperty(named = "rk.perf", matches = "true")
class FilesBackupPerformanceTest {
    @TempDir
    Path tmp;

    @Test
    void measure() throws IOException {
        Path src = tmp.resolve("src");
        Random random = new Random(5);
        int files = 0;
        for (int d = 0; d < 100; d++) {
            Path dir = Files.createDirectories(src.resolve("dir-" + d));
            for (int f = 0; f < 100; f++) {
                byte[] b = new byte[100 + random.nextInt(4000)];
                random.nextBytes(b);
                Files.write(dir.resolve("f-" + f + ".dat"), b);
                files++;
            }
        }
        byte[] big = new byte[64 << 20];
        random.nextBytes(big);
        Files.write(src.resolve("big.bin"), big);
        files++;
        FilesSourceSpec spec = new FilesSourceSpec("perf", src, List.of(), null);
        try (Repository repository = FilesFixtures.newRepository()) {
            BackupService service = new BackupService(repository);
            long t0 = System.nanoTime();
            BackupResult first = service.backup(BackupRequest.of(List.of(spec)), ProgressListener.NONE);
            long t1 = System.nanoTime();
            BackupResult second = service.backup(BackupRequest.of(List.of(spec)), ProgressListener.NONE);
            long t2 = System.nanoTime();
            RestoreResult restored = new RestoreService(repository).restore(new RestoreRequest("perf", null, null,
                    List.of(), tmp.resolve("out"), false, false), ProgressListener.NONE);
            long t3 = System.nanoTime();
            assertThat(second.sources().get(0).summary().reusedFiles()).isEqualTo(files);
            assertThat(restored.filesWritten()).isEqualTo(files);
            System.err.printf("files=%d bytes=%d first=%d ms, unchanged re-run=%d ms, full restore=%d ms%n",
                    files, first.sources().get(0).summary().bytes(), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000,
                    (t3 - t2) / 1_000_000);
        }
    }
}
