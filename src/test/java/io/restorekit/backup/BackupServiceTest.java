package io.restorekit.backup;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.Repository;
import io.restorekit.repository.Snapshot;
import io.restorekit.source.files.FilesFixtures;
import io.restorekit.source.files.FilesSourceSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static io.restorekit.source.files.FilesFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

class BackupServiceTest {
    @TempDir
    Path tmp;
    Repository repository;

    @BeforeEach
    void open() throws IOException {
        repository = FilesFixtures.newRepository();
    }

    @AfterEach
    void close() throws IOException {
        repository.close();
    }

    @Test
    @DisplayName("one run makes one snapshot per source, with summary, tags, time and a shared run id")
    void snapshotsPerSource() throws IOException {
        FilesSourceSpec uploads = new FilesSourceSpec("uploads", tmp.resolve("uploads"), List.of("**/*.tmp"), null);
        FilesSourceSpec config = new FilesSourceSpec("config", tmp.resolve("config"), List.of(), null);
        FilesFixtures.sampleTree(uploads.path(), 3);
        write(uploads.path().resolve("x.tmp"), "excluded");
        write(config.path().resolve("app.yml"), "a: 1\n");
        Instant time = Instant.parse("2026-11-01T03:00:00Z");

        BackupService service = new BackupService(repository);
        BackupResult result = service.backup(new BackupRequest(List.of(uploads, config), List.of("daily"), time,
                "srv1", "ops"), ProgressListener.NONE);

        assertThat(result.succeeded()).isTrue();
        assertThat(result.sources()).extracting(BackupResult.SourceResult::source).containsExactly("uploads", "config");
        BackupResult.SourceResult u = result.sources().get(0);
        assertThat(u.summary().files()).isEqualTo(10);
        assertThat(u.summary().dirs()).isEqualTo(5);
        assertThat(u.summary().addedBytes()).isPositive();
        assertThat(u.parentId()).isNull();
        Snapshot s = repository.loadSnapshot(u.snapshotId());
        assertThat(s.kind()).isEqualTo("files");
        assertThat(s.time()).isEqualTo(time);
        assertThat(s.tags()).containsExactly("daily");
        assertThat(s.host()).isEqualTo("srv1");
        assertThat(s.run()).isEqualTo(result.run());
        assertThat(s.root()).isEqualTo(uploads.path().toString());
        assertThat(repository.loadSnapshot(result.sources().get(1).snapshotId()).run()).isEqualTo(result.run());

        // The second run finds the first as parent and reads nothing.
        BackupResult again = service.backup(BackupRequest.of(List.of(uploads)), ProgressListener.NONE);
        BackupResult.SourceResult u2 = again.sources().get(0);
        assertThat(u2.parentId()).isEqualTo(u.snapshotId());
        assertThat(u2.summary().reusedFiles()).isEqualTo(10);
        assertThat(u2.summary().addedBytes()).isZero();
        assertThat(again.run()).isNotEqualTo(result.run());
    }

    @Test
    @DisplayName("a missing source folder fails that source only")
    void missingSource() throws IOException {
        FilesSourceSpec gone = new FilesSourceSpec("gone", tmp.resolve("nope"), List.of(), null);
        FilesSourceSpec ok = new FilesSourceSpec("ok", tmp.resolve("ok"), List.of(), null);
        write(ok.path().resolve("f"), "f");
        BackupResult result = new BackupService(repository).backup(BackupRequest.of(List.of(gone, ok)),
                ProgressListener.NONE);
        assertThat(result.succeeded()).isFalse();
        assertThat(result.code()).isEqualTo(ErrorCode.UNREACHABLE);
        assertThat(result.sources().get(0).error()).contains("nope");
        assertThat(result.sources().get(1).snapshotId()).isNotNull();
        assertThat(repository.snapshots()).hasSize(1);
    }
}
