package io.restorekit.retention;

import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunQuery;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.LockRequest;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryLock;
import io.restorekit.repository.RepositoryLockedException;
import io.restorekit.repository.Snapshot;
import io.restorekit.storage.Kind;
import io.restorekit.storage.decorator.AppendOnlyStorage;
import io.restorekit.storage.local.LocalStorage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static io.restorekit.retention.PruneFixture.assertVerifies;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("forget and prune")
class PruneServiceTest {
    static final RetentionPolicy KEEP_LAST_4 = RetentionPolicy.of(new Policy(4, 0, 0, 0, 0, 0, null, List.of()));

    @TempDir
    Path tmp;

    InMemoryCatalog catalog = new InMemoryCatalog();

    ForgetResult forget(Repository r, RetentionPolicy policy, boolean dryRun) {
        return new ForgetService(r, catalog, Clock.systemUTC()).forget(new ForgetRequest(policy, dryRun, ZoneOffset.UTC),
                ProgressListener.NONE);
    }

    PruneResult prune(Repository r, Duration grace, boolean dryRun) {
        return new PruneService(r, catalog, Clock.systemUTC()).prune(new PruneRequest(dryRun, 0.3, grace),
                ProgressListener.NONE);
    }

    @Test
    @DisplayName("forgetting half the snapshots and pruning shrinks the repository; the rest restore byte for byte")
    void forgetHalfAndPrune() throws IOException {
        Path repoDir = tmp.resolve("repo");
        Path src = tmp.resolve("src");
        try (Repository r = PruneFixture.init(repoDir)) {
            PruneFixture.dailyBackups(r, src, 8, 42);
            Map<String, Map<String, String>> before = PruneFixture.restoreAll(r, tmp.resolve("before"));
            long bytesBefore = PruneFixture.packBytes(repoDir);

            ForgetResult dry = forget(r, KEEP_LAST_4, true);
            assertThat(dry.plan().removed()).hasSize(4);
            assertThat(r.snapshots()).hasSize(8);
            ForgetResult forgot = forget(r, KEEP_LAST_4, false);
            assertThat(forgot.removed()).isEqualTo(4);
            assertThat(r.snapshots()).extracting(Snapshot::id).containsExactlyElementsOf(
                    forgot.plan().kept().stream().map(d -> d.snapshot().id()).toList());

            PruneResult dryPrune = prune(r, Duration.ZERO, true);
            assertThat(PruneFixture.packBytes(repoDir)).isEqualTo(bytesBefore);
            PruneResult pruned = prune(r, Duration.ZERO, false);
            long bytesAfter = PruneFixture.packBytes(repoDir);

            assertThat(pruned.report().deletedPacks()).isPositive();
            assertThat(pruned.report().repackedPacks()).isPositive();
            assertThat(pruned.report().packBytes()).isEqualTo(bytesBefore);
            assertThat(pruned.report().bytesAfter()).isEqualTo(bytesAfter);
            assertThat(dryPrune.report().deletedPacks()).isEqualTo(pruned.report().deletedPacks());
            // Four of eight snapshots, each adding a third of the tree after the first: about half goes.
            assertThat(bytesAfter).isLessThan(bytesBefore * 65 / 100);
            System.err.printf("forget 4 of 8 + prune: packs %d -> %d bytes (%.0f%% reclaimed)%n", bytesBefore,
                    bytesAfter, 100.0 * (bytesBefore - bytesAfter) / bytesBefore);

            assertVerifies(r);
            Map<String, Map<String, String>> after = PruneFixture.restoreAll(r, tmp.resolve("after"));
            assertThat(after).isEqualTo(Map.copyOf(before.entrySet().stream().filter(e -> after.containsKey(e.getKey()))
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))));
            assertThat(after).hasSize(4);
            // A second prune finds nothing more to do.
            assertThat(prune(r, Duration.ZERO, false).report().deletedPacks()).isZero();
        }
        try (Repository fresh = PruneFixture.open(new LocalStorage(repoDir))) {
            assertVerifies(fresh);
        }
        List<Run> runs = catalog.runs(RunQuery.ALL);
        assertThat(runs).extracting(Run::kind).containsOnly(RunKind.FORGET, RunKind.PRUNE);
        Run firstPrune = catalog.runs(RunQuery.of(RunKind.PRUNE)).get(1);
        assertThat(firstPrune.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(firstPrune.bytesStored()).isPositive();
        assertThat(catalog.runs(RunQuery.of(RunKind.FORGET)).get(0).files()).isEqualTo(4);
    }

    @Test
    @DisplayName("with a grace period, packs are marked first (still readable), and deleted by a later prune")
    void twoPhases() throws IOException {
        Path repoDir = tmp.resolve("repo");
        try (Repository r = PruneFixture.init(repoDir)) {
            PruneFixture.dailyBackups(r, tmp.resolve("src"), 8, 7);
            forget(r, KEEP_LAST_4, false);
            long before = PruneFixture.packBytes(repoDir);
            PruneResult marking = prune(r, Duration.ofHours(1), false);
            assertThat(marking.report().deletedPacks()).isZero();
            assertThat(marking.report().markedPacks()).isPositive();
            assertThat(marking.report().nextDeletion()).isNotNull();
            assertThat(r.packsAwaitingDeletion()).hasSize(marking.report().markedPacks());
            assertThat(PruneFixture.packBytes(repoDir)).isGreaterThanOrEqualTo(before);
            assertThat(PruneFixture.verify(r).problems()).as("no warning for marked packs").isEmpty();

            // Not due yet: nothing is deleted.
            assertThat(prune(r, Duration.ofHours(1), false).report().deletedPacks()).isZero();
            // Due (a grace of zero makes every mark due): the marked packs go.
            PruneResult deleting = prune(r, Duration.ZERO, false);
            assertThat(deleting.report().deletedPacks()).isGreaterThanOrEqualTo(marking.report().markedPacks());
            assertThat(r.packsAwaitingDeletion()).isEmpty();
            assertThat(PruneFixture.packBytes(repoDir)).isLessThan(before);
            assertVerifies(r);
        }
    }

    @Nested
    @DisplayName("with a backup at the same time")
    class Concurrent {
        @Test
        @DisplayName("prune refuses while a backup holds its lock, and a backup refuses while prune holds its lock")
        void locks() throws IOException {
            try (Repository r = PruneFixture.init(tmp.resolve("repo"))) {
                PruneFixture.dailyBackups(r, tmp.resolve("src"), 2, 1);
                try (RepositoryLock backup = r.lock(LockRequest.backup(List.of("uploads")))) {
                    assertThatThrownBy(() -> prune(r, Duration.ZERO, false))
                            .isInstanceOf(RepositoryLockedException.class).hasMessageContaining("locked by backup");
                }
                try (RepositoryLock prune = r.lock(LockRequest.exclusive("prune"))) {
                    assertThatThrownBy(() -> r.lock(LockRequest.backup(List.of("uploads"))))
                            .isInstanceOf(RepositoryLockedException.class).hasMessageContaining("locked by prune");
                }
                assertThat(catalog.runs(RunQuery.of(RunKind.PRUNE))).singleElement()
                        .satisfies(run -> assertThat(run.status()).isEqualTo(RunStatus.FAILED));
            }
        }

        @Test
        @DisplayName("a backup and a prune started at the same moment from separate processes never both run (the"
                + " one that sees the other's lock stops with exit 4; at times both do); every snapshot restores")
        void racing() throws Exception {
            Path repoDir = tmp.resolve("repo");
            Path src = tmp.resolve("src");
            try (Repository r = PruneFixture.init(repoDir)) {
                PruneFixture.dailyBackups(r, src, 4, 17);
                forget(r, RetentionPolicy.of(new Policy(1, 0, 0, 0, 0, 0, null, List.of())), false);
            }
            int backups = 0;
            int prunes = 0;
            int collisions = 0;
            for (int round = 0; round < 6; round++) {
                java.nio.file.Files.writeString(src.resolve("round-" + round + ".txt"), "round " + round);
                // Started at the same instant, each may see the other's lock and give up (a lock
                // that meets any conflicting one is withdrawn): then the round is run again.
                for (int attempt = 0; attempt < 20; attempt++) {
                    int before = backups + prunes;
                    try (Repository backupSide = PruneFixture.open(new LocalStorage(repoDir));
                         Repository pruneSide = PruneFixture.open(new LocalStorage(repoDir))) {
                        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                        java.util.concurrent.CompletableFuture<Boolean> backup = java.util.concurrent.CompletableFuture
                                .supplyAsync(() -> {
                                    try {
                                        go.await();
                                    } catch (InterruptedException e) {
                                        throw new IllegalStateException(e);
                                    }
                                    return new io.restorekit.backup.BackupService(backupSide).backup(
                                            io.restorekit.backup.BackupRequest.of(List.of(PruneFixture.source(src))),
                                            ProgressListener.NONE).succeeded();
                                });
                        go.countDown();
                        try {
                            prune(pruneSide, Duration.ZERO, false);
                            prunes++;
                        } catch (RepositoryLockedException locked) {
                            // the backup held its lock first
                        }
                        if (backup.get()) {
                            backups++;
                        }
                    }
                    try (Repository check = PruneFixture.open(new LocalStorage(repoDir))) {
                        check.removeAllLocks();
                        assertVerifies(check);
                        PruneFixture.restoreAll(check, tmp.resolve("restore-" + round + "-" + attempt));
                    }
                    if (backups + prunes > before) {
                        break;
                    }
                    collisions++;
                }
            }
            System.err.println("racing: " + backups + " backups and " + prunes + " prunes of 6 rounds went through ("
                    + collisions + " attempts where both gave up)");
            assertThat(backups + prunes).isGreaterThanOrEqualTo(6);
            try (Repository r = PruneFixture.open(new LocalStorage(repoDir))) {
                assertThat(r.snapshots()).hasSize(1 + backups);
                // The newest backup holds every round's file that it saw.
                Map<String, Map<String, String>> restored = PruneFixture.restoreAll(r, tmp.resolve("final"));
                assertThat(restored).hasSize(1 + backups);
            }
        }

        @Test
        @DisplayName("a backup that read the index before prune marked a pack stays restorable, and the next prune keeps that pack")
        void backupOverlappingPrune() throws IOException {
            Path repoDir = tmp.resolve("repo");
            Path src = tmp.resolve("src");
            try (Repository pruner = PruneFixture.init(repoDir)) {
                PruneFixture.dailyBackups(pruner, src, 6, 3);
            }
            // The backup process opened the repository (and read its index) first...
            Path old = tmp.resolve("old");
            try (Repository backup = PruneFixture.open(new LocalStorage(repoDir));
                 Repository pruner = PruneFixture.open(new LocalStorage(repoDir))) {
                Snapshot first = pruner.snapshots().get(0);
                new io.restorekit.restore.RestoreService(pruner).restore(new io.restorekit.restore.RestoreRequest(
                        "uploads", first.id(), null, List.of(), old, false, false), ProgressListener.NONE);
                // ...then forget and prune ran (its lock was not seen: another host with a skewed clock)...
                forget(pruner, RetentionPolicy.of(new Policy(1, 0, 0, 0, 0, 0, null, List.of())), false);
                PruneResult marked = prune(pruner, Duration.ofHours(1), false);
                assertThat(marked.report().markedPacks()).isPositive();
                // ...and the backup now stores the oldest tree again, deduplicating against marked packs.
                Snapshot late = PruneFixture.backup(backup, old, PruneFixture.DAY0.plusSeconds(86_400L * 10));

                try (Repository reader = PruneFixture.open(new LocalStorage(repoDir))) {
                    assertVerifies(reader);
                    assertThat(PruneFixture.restoreAll(reader, tmp.resolve("r1")).get(late.id()))
                            .isEqualTo(io.restorekit.source.files.FilesFixtures.describe(old));
                }
                // Once the grace period is over, prune indexes the needed packs again instead of deleting them.
                PruneResult due = prune(pruner, Duration.ZERO, false);
                assertThat(due.report().rescuedPacks()).isPositive();
            }
            try (Repository reader = PruneFixture.open(new LocalStorage(repoDir))) {
                assertVerifies(reader);
                assertThat(reader.packsAwaitingDeletion()).isEmpty();
                Map<String, Map<String, String>> restored = PruneFixture.restoreAll(reader, tmp.resolve("r2"));
                assertThat(restored).hasSize(2).containsValue(io.restorekit.source.files.FilesFixtures.describe(old));
            }
        }
    }

    @Nested
    @DisplayName("on an append-only repository")
    class AppendOnly {
        @Test
        @DisplayName("forget and prune refuse (exit 7) and remove nothing; their dry runs still plan")
        void refuses() throws IOException {
            Path repoDir = tmp.resolve("repo");
            try (Repository r = PruneFixture.init(repoDir)) {
                PruneFixture.dailyBackups(r, tmp.resolve("src"), 6, 5);
            }
            try (Repository r = PruneFixture.open(new AppendOnlyStorage(new LocalStorage(repoDir)))) {
                assertThat(r.appendOnly()).isTrue();
                assertThat(forget(r, KEEP_LAST_4, true).plan().removed()).hasSize(2);
                assertThatThrownBy(() -> forget(r, KEEP_LAST_4, false)).isInstanceOf(RkException.class)
                        .satisfies(e -> assertThat(((RkException) e).code()).isEqualTo(ErrorCode.NOT_PERMITTED))
                        .hasMessageContaining("append-only");
                assertThatThrownBy(() -> prune(r, Duration.ZERO, false)).isInstanceOf(RkException.class)
                        .hasMessageContaining("append-only");
                assertThatThrownBy(() -> r.storage().remove(new io.restorekit.storage.Handle(Kind.SNAPSHOT,
                        r.snapshots().get(0).id()))).hasMessageContaining("append-only");
                assertThat(r.snapshots()).hasSize(6);
                // Backups still work (their locks come and go).
                PruneFixture.backup(r, tmp.resolve("src"), PruneFixture.DAY0.plusSeconds(86_400L * 30));
                assertThat(r.snapshots()).hasSize(7);
            }
        }

        @Test
        @DisplayName("a key marked append-only makes the repository append-only for whoever opens it with that key")
        void appendOnlyKey() throws IOException {
            Path repoDir = tmp.resolve("repo");
            try (Repository r = PruneFixture.init(repoDir)) {
                PruneFixture.dailyBackups(r, tmp.resolve("src"), 6, 5);
                r.keys().add("backup host".toCharArray(), io.restorekit.repository.RepositoryOptions.KdfParams.cheap(),
                        true);
            }
            try (Repository r = Repository.open(new LocalStorage(repoDir), "backup host".toCharArray())) {
                assertThat(r.appendOnly()).isTrue();
                assertThatThrownBy(() -> prune(r, Duration.ZERO, false)).hasMessageContaining("append-only");
                assertThatThrownBy(() -> r.keys().changePassword("other".toCharArray()))
                        .hasMessageContaining("append-only");
            }
            try (Repository r = PruneFixture.open(new LocalStorage(repoDir))) {
                assertThat(r.appendOnly()).isFalse();
                assertThat(forget(r, KEEP_LAST_4, false).removed()).isEqualTo(2);
            }
        }
    }

    static void assertNoTemporaries(Path dir) throws IOException {
        try (var all = Files.walk(dir)) {
            assertThat(all.filter(p -> p.getFileName().toString().startsWith(LocalStorage.TEMP_PREFIX))).isEmpty();
        }
    }
}
