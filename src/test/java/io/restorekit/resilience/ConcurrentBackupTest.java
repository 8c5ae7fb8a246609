package io.restorekit.resilience;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.LockInfo;
import io.restorekit.repository.Repository;
import io.restorekit.verify.VerifyReport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Backups running at the same time")
class ConcurrentBackupTest {
    @TempDir
    Path tmp;
    Path repoDir;
    Path uploads;
    Path config;

    @BeforeEach
    void setUp() throws IOException {
        repoDir = tmp.resolve("repo");
        Resilience.initRepository(repoDir, 1 << 20);
        uploads = tmp.resolve("uploads");
        config = tmp.resolve("config");
        Resilience.randomTree(uploads, 1, 16, 10_000, 300_000);
        Resilience.randomTree(config, 2, 6, 100, 5_000);
    }

    @Test
    @DisplayName("while a backup of a source runs, a second one of that source fails with exit 4 naming it; "
            + "a backup of another source and a verify succeed")
    void secondBackupOfTheSameSourceIsRefused() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // The first backup stops in the middle of its walk, holding its lock, until released.
        ProgressListener pausing = new ProgressListener() {
            @Override
            public void advance(long bytes, long items) {
                if (bytes > 0 && inside.getCount() > 0) {
                    inside.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        try (Repository first = Resilience.open(repoDir); Repository second = Resilience.open(repoDir)) {
            CompletableFuture<BackupResult> running = CompletableFuture.supplyAsync(() -> new BackupService(first)
                    .backup(BackupRequest.of(List.of(Resilience.source("uploads", uploads))), pausing));
            assertThat(inside.await(60, TimeUnit.SECONDS)).as("first backup started").isTrue();
            try {
                List<LockInfo> locks = second.locks();
                assertThat(locks).hasSize(1);
                LockInfo holder = locks.get(0);
                assertThat(holder.operation()).isEqualTo("backup");
                assertThat(holder.pid()).isEqualTo(ProcessHandle.current().pid());

                BackupResult refused = Resilience.backup(second, Resilience.source("uploads", uploads));
                assertLockedBy(refused, holder);

                BackupResult other = Resilience.backup(second, Resilience.source("config", config));
                assertThat(other.succeeded()).as("backup of another source: %s", other.sources().get(0).error())
                        .isTrue();
                VerifyReport report = Resilience.verify(second, false);
                assertThat(report.ok()).as("verify during a backup: %s", report.problems()).isTrue();
            } finally {
                release.countDown();
            }
            BackupResult done = running.get(60, TimeUnit.SECONDS);
            assertThat(done.succeeded()).isTrue();
            assertThat(second.locks()).isEmpty();
        }
        try (Repository repository = Resilience.open(repoDir)) {
            Resilience.restoreAll(repository, "uploads", null, tmp.resolve("out-uploads"));
            Resilience.restoreAll(repository, "config", null, tmp.resolve("out-config"));
            Resilience.assertRestored(uploads, tmp.resolve("out-uploads"));
            Resilience.assertRestored(config, tmp.resolve("out-config"));
        }
    }

    @Test
    @DisplayName("a lock held by another process refuses a backup of its source; once that process is killed, "
            + "its stale lock is ignored")
    void lockOfAnotherProcessThenStale() throws Exception {
        try (ChildProcess child = ChildProcess.start("lock", repoDir.toString(), "uploads");
             Repository repository = Resilience.open(repoDir)) {
            child.await("locked", Duration.ofSeconds(60));
            LockInfo holder = repository.locks().get(0);
            assertThat(holder.pid()).isEqualTo(child.pid());
            assertThat(holder.stale()).isFalse();

            assertLockedBy(Resilience.backup(repository, Resilience.source("uploads", uploads)), holder);
            assertThat(Resilience.backup(repository, Resilience.source("config", config)).succeeded()).isTrue();
            assertThat(Resilience.verify(repository, false).ok()).isTrue();

            child.kill();
            assertThat(repository.locks()).singleElement().satisfies(l -> {
                assertThat(l.pid()).isEqualTo(child.pid());
                assertThat(l.stale()).isTrue();
            });
            String id = Resilience.backupOk(repository, Resilience.source("uploads", uploads)).snapshotId();
            Resilience.restoreAll(repository, "uploads", id, tmp.resolve("out"));
            Resilience.assertRestored(uploads, tmp.resolve("out"));
            assertThat(repository.removeStaleLocks()).isEqualTo(1);
            assertThat(repository.locks()).isEmpty();
        }
    }

    private static void assertLockedBy(BackupResult refused, LockInfo holder) {
        assertThat(refused.succeeded()).isFalse();
        assertThat(refused.code()).isEqualTo(ErrorCode.LOCKED);
        assertThat(refused.code().exitCode()).isEqualTo(4);
        assertThat(refused.sources().get(0).error())
                .contains("is locked by backup of uploads on host '" + holder.host() + "'")
                .contains("(pid " + holder.pid() + ",")
                .contains("wait, or run 'rk unlock' if that process is gone");
    }
}
