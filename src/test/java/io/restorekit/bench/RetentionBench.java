package io.restorekit.bench;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.retention.Age;
import io.restorekit.retention.ForgetRequest;
import io.restorekit.retention.ForgetResult;
import io.restorekit.retention.ForgetService;
import io.restorekit.retention.Policy;
import io.restorekit.retention.PruneRequest;
import io.restorekit.retention.PruneResult;
import io.restorekit.retention.PruneService;
import io.restorekit.retention.RetentionPolicy;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.storage.local.LocalStorage;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Retention on many snapshots, one operation per cold JVM like the command line (bench/retention.sh).
 * Prints one line: the operation, seconds since the JVM started, seconds of the operation itself
 * (open included), and what it decided.
 *
 * <pre>
 * RetentionBench create REPO DATA N   N daily snapshots of DATA (200 files; 5 change every day), back from today
 * RetentionBench forget REPO          forget --dry-run (keep-last 7, daily 30, weekly 12, monthly 24, yearly 5)
 * RetentionBench prune  REPO          prune --dry-run
 * </pre>
 */
public final class RetentionBench {
    static final RetentionPolicy POLICY = RetentionPolicy.of(new Policy(7, 0, 30, 12, 24, 5, Age.NONE, List.of()));

    public static void main(String[] args) throws Exception {
        char[] password = System.getenv().getOrDefault("RK_PASSWORD", "bench").toCharArray();
        Path repo = Path.of(args[1]);
        long t0 = System.nanoTime();
        String done;
        switch (args[0]) {
            case "create" -> {
                Path data = Path.of(args[2]);
                int n = Integer.parseInt(args[3]);
                SplittableRandom random = new SplittableRandom(1000);
                try (Repository r = Repository.init(LocalStorage.create(repo), password,
                        new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 16 << 20))) {
                    Instant first = Instant.now().minus(Duration.ofDays(n));
                    for (int k = 0; k < n; k++) {
                        for (int i = 0; i < 200; i++) {
                            if (k == 0 || random.nextInt(40) == 0) {
                                byte[] content = new byte[2_000 + random.nextInt(60_000)];
                                random.nextBytes(content);
                                Path f = data.resolve("d" + (i % 10)).resolve("f" + i + ".bin");
                                Files.createDirectories(f.getParent());
                                Files.write(f, content);
                            }
                        }
                        BackupResult result = new BackupService(r).backup(new BackupRequest(List.of(
                                new FilesSourceSpec("bench", data, List.of(), null)), List.of(),
                                first.plus(Duration.ofDays(k)), null, null), ProgressListener.NONE);
                        if (!result.succeeded()) {
                            throw new IllegalStateException(result.sources().get(0).error());
                        }
                    }
                    done = n + " snapshots";
                }
            }
            case "forget" -> {
                try (Repository r = Repository.open(new LocalStorage(repo), password)) {
                    ForgetResult result = new ForgetService(r, new InMemoryCatalog(), Clock.systemUTC()).forget(
                            new ForgetRequest(POLICY, true, ZoneId.systemDefault()), ProgressListener.NONE);
                    done = result.plan().decisions().size() + " snapshots: keep " + result.plan().kept().size()
                            + ", remove " + result.plan().removed().size();
                }
            }
            case "prune" -> {
                try (Repository r = Repository.open(new LocalStorage(repo), password)) {
                    PruneResult result = new PruneService(r, new InMemoryCatalog(), Clock.systemUTC()).prune(
                            new PruneRequest(true, 0.5, Duration.ofHours(1)), ProgressListener.NONE);
                    done = result.snapshots() + " snapshots, " + result.report().packs() + " packs, "
                            + result.report().usedBlobs() + " blobs used";
                }
            }
            default -> throw new IllegalArgumentException("unknown operation '" + args[0] + "'");
        }
        long sinceStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        Runtime rt = Runtime.getRuntime();
        System.out.println(args[0] + " " + String.format("%.2f", sinceStart / 1000.0) + "s (operation "
                + String.format("%.2f", (System.nanoTime() - t0) / 1e9) + "s, heap used "
                + (rt.totalMemory() - rt.freeMemory()) / (1 << 20) + " MiB) " + done);
    }
}
