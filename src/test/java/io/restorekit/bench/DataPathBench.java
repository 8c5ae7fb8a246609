package io.restorekit.bench;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.backup.BackupService;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.restore.RestoreRequest;
import io.restorekit.restore.RestoreResult;
import io.restorekit.restore.RestoreService;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.storage.local.LocalStorage;
import io.restorekit.verify.VerifyReport;
import io.restorekit.verify.VerifyRequest;
import io.restorekit.verify.VerifyService;

import java.nio.file.Path;
import java.util.List;

/**
 * One data-path operation per JVM on a folder repository, measured cold like the command line
 * (bench/datapath.sh runs it next to restic). Prints one line: the operation, seconds since the
 * JVM started, and what it did.
 *
 * <pre>
 * DataPathBench init       REPO
 * DataPathBench backup     REPO DATA
 * DataPathBench restore    REPO TARGET [PATH]     (PATH relative to the source root: one file)
 * DataPathBench verify     REPO                   (--read-data)
 * </pre>
 * The password is {@code RK_PASSWORD} (default "bench"); the source is named "bench".
 */
public final class DataPathBench {
    private static final String SOURCE = "bench";

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: DataPathBench init|backup|restore|verify REPO [DATA|TARGET] [PATH]");
        }
        char[] password = System.getenv().getOrDefault("RK_PASSWORD", "bench").toCharArray();
        Path repo = Path.of(args[1]);
        String done;
        switch (args[0]) {
            case "init" -> {
                try (Repository r = Repository.init(LocalStorage.create(repo), password, RepositoryOptions.defaults())) {
                    done = "repository " + r.id().substring(0, 8);
                }
            }
            case "backup" -> {
                try (Repository r = Repository.open(new LocalStorage(repo), password)) {
                    BackupResult result = new BackupService(r).backup(BackupRequest.of(List.of(
                            new FilesSourceSpec(SOURCE, Path.of(args[2]), List.of(), null))), ProgressListener.NONE);
                    BackupResult.SourceResult s = result.sources().get(0);
                    if (s.errorCode() != null) {
                        throw new IllegalStateException(s.error());
                    }
                    done = s.summary().files() + " files " + s.summary().bytes() + " bytes, added "
                            + s.summary().addedBytes();
                }
            }
            case "restore" -> {
                List<String> files = args.length > 3 ? List.of(args[3]) : List.of();
                try (Repository r = Repository.open(new LocalStorage(repo), password)) {
                    RestoreResult result = new RestoreService(r).restore(new RestoreRequest(SOURCE, null, null, files,
                            Path.of(args[2]), false, true), ProgressListener.NONE);
                    done = result.filesWritten() + " files " + result.bytesWritten() + " bytes";
                }
            }
            case "verify" -> {
                try (Repository r = Repository.open(new LocalStorage(repo), password)) {
                    VerifyReport report = new VerifyService(r).verify(new VerifyRequest(null, true), ProgressListener.NONE);
                    if (!report.ok()) {
                        throw new IllegalStateException("verify found problems: " + report.problems());
                    }
                    done = report.packs() + " packs " + report.bytesRead() + " bytes";
                }
            }
            default -> throw new IllegalArgumentException("unknown operation '" + args[0] + "'");
        }
        long sinceStart = System.currentTimeMillis() - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.println(args[0] + " " + String.format("%.2f", sinceStart / 1000.0) + "s " + done);
    }
}
