package io.restorekit.resilience;

import io.restorekit.backup.BackupResult;
import io.restorekit.repository.LockInfo;
import io.restorekit.repository.Repository;
import io.restorekit.storage.Kind;
import io.restorekit.storage.local.LocalStorage;
import io.restorekit.verify.VerifyReport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backups killed with SIGKILL at several points, each by a fresh child JVM on the same folder
 * repository, like a cron run killed again and again: after every kill the repository verifies,
 * and the run that is finally let finish reuses what earlier runs had indexed and restores byte
 * for byte.
 */
@DisplayName("A backup killed with kill -9")
class KilledBackupTest {
    /** Small packs, so that the child writes an index file every 8 packs (32 MiB) well before it ends. */
    private static final int PACK_SIZE = 4 << 20;

    @TempDir
    static Path shared;
    static Path source;
    static long sourceBytes;

    @TempDir
    Path tmp;

    @BeforeAll
    static void generateTree() throws IOException {
        source = shared.resolve("src");
        // ~100 MB of incompressible files: a child here backs up ~23 MB/s, so it is still writing
        // packs at every kill point (the last one, after its first index, comes at ~35 MB).
        sourceBytes = Resilience.randomTree(source, 20261122L, 40, 500_000, 4_500_000);
    }

    @Test
    @DisplayName("leaves a repository that verifies, hides temporary files, and the next backup reuses indexed blobs and restores byte for byte")
    void killedAtSeveralPoints() throws Exception {
        Path repoDir = tmp.resolve("repo");
        Resilience.initRepository(repoDir, PACK_SIZE);
        LocalStorage storage = new LocalStorage(repoDir);
        List<String> figures = new ArrayList<>();
        int kills = 0;
        long t0 = System.nanoTime();

        // At different, deterministic points of the run: after its 1st, 3rd and 5th pack (of ~25),
        // while it goes on chunking, sealing and writing. None reaches its first index file (every
        // 8 packs), so each next child starts from unindexed packs, as after a crash.
        for (int packs : new int[] {1, 3, 5}) {
            try (ChildProcess child = backupChild(repoDir)) {
                child.await("opened", Duration.ofSeconds(60));
                for (int i = 0; i < packs; i++) {
                    child.await("saved data/", Duration.ofSeconds(60));
                }
                assertThat(child.isAlive()).as("child still backing up after %d packs", packs).isTrue();
                child.kill();
                kills++;
                figures.add(afterKill(storage, repoDir, "after " + packs + " packs", child));
            }
        }
        // And after it reports a completed index file, in the middle of writing the next pack: the
        // indexed packs must be reused, the half-written one must stay invisible.
        try (ChildProcess child = ChildProcess.start("backup", repoDir.toString(), "uploads", source.toString(),
                "stall-after-index")) {
            child.await("opened", Duration.ofSeconds(60));
            child.await("saved index/", Duration.ofSeconds(60));
            child.await("stalled data/", Duration.ofSeconds(60));
            child.kill();
            kills++;
            assertThat(Resilience.temporaryFiles(repoDir)).as("the half-written pack's temporary file").isNotEmpty();
            figures.add(afterKill(storage, repoDir, "mid-pack after its first index", child));
        }
        figures.add("kills done at " + (System.nanoTime() - t0) / 1_000_000 + " ms");

        Map<String, Long> packSizes = new HashMap<>();
        storage.list(Kind.PACK, f -> packSizes.put(f.handle().path(), f.size()));
        try (Repository repository = Resilience.open(repoDir)) {
            VerifyReport everyByte = Resilience.verify(repository, true);
            assertThat(everyByte.problems()).filteredOn(p -> p.severity() == VerifyReport.Severity.ERROR).isEmpty();
            Set<String> unreferenced = everyByte.problems().stream().map(VerifyReport.Problem::object)
                    .collect(Collectors.toSet());
            long indexedPackBytes = packSizes.entrySet().stream().filter(e -> !unreferenced.contains(e.getKey()))
                    .mapToLong(Map.Entry::getValue).sum();
            assertThat(indexedPackBytes).as("pack bytes indexed by the killed runs").isPositive();

            // Every killed child left its lock behind: a dead process on this host, so stale and ignored.
            List<LockInfo> locks = repository.locks();
            assertThat(locks).hasSize(kills).allMatch(LockInfo::stale);

            figures.add("verified with --read-data at " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            BackupResult.SourceResult next = Resilience.backupOk(repository, Resilience.source("uploads", source));
            long added = next.summary().addedBytes();
            figures.add("next backup: " + sourceBytes + " bytes in the tree, " + added + " added, "
                    + indexedPackBytes + " bytes of indexed packs before it");
            assertThat(added).as("bytes added by the next backup").isLessThan(sourceBytes);
            // Blobs of indexed packs are not stored again (allowing for sealing and header overhead).
            assertThat(sourceBytes - added).isGreaterThanOrEqualTo((long) (indexedPackBytes * 0.99));

            figures.add("backed up at " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            Path out = tmp.resolve("out");
            Resilience.restoreAll(repository, "uploads", next.snapshotId(), out);
            Resilience.assertRestored(source, out);
            figures.add("restored and compared at " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            assertThat(Resilience.verify(repository, false).ok()).isTrue();
        }
        System.err.println("KilledBackupTest figures:\n  " + String.join("\n  ", figures));
    }

    private static ChildProcess backupChild(Path repoDir) throws IOException {
        return ChildProcess.start("backup", repoDir.toString(), "uploads", source.toString());
    }

    /** Checks the state a kill left and describes it. */
    private static String afterKill(LocalStorage storage, Path repoDir, String when, ChildProcess child)
            throws IOException {
        assertThat(child.output()).noneMatch(l -> l.startsWith("done") || l.startsWith("failed"));
        List<String> temporary = Resilience.temporaryFiles(repoDir);
        List<String> listed = Resilience.listed(storage);
        Set<String> onDisk = new java.util.TreeSet<>(Resilience.everyObject(repoDir).keySet());
        onDisk.removeAll(temporary);
        // Temporary files of interrupted saves are never listed; every complete object is.
        assertThat(listed).noneMatch(p -> p.contains(LocalStorage.TEMP_PREFIX));
        assertThat(new java.util.TreeSet<>(listed)).isEqualTo(onDisk);
        long packs = Resilience.count(storage, Kind.PACK);
        long indexes = Resilience.count(storage, Kind.INDEX);
        assertThat(Resilience.count(storage, Kind.SNAPSHOT)).isZero();
        try (Repository repository = Resilience.open(repoDir)) {
            VerifyReport report = Resilience.verify(repository, false);
            assertThat(report.problems()).as("verify %s", when)
                    .allMatch(p -> p.severity() == VerifyReport.Severity.WARNING
                            && p.message().startsWith("unreferenced pack"));
        }
        long saved = child.output().stream().filter(l -> l.startsWith("saved data/")).count();
        return "killed " + when + ": child had saved " + saved + " packs; repository has " + packs + " packs, "
                + indexes + " index files, " + temporary.size() + " temporary files " + temporary;
    }
}
