package io.restorekit.demo;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.common.Sizes;
import io.restorekit.backup.BackupService;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.restore.RestoreRequest;
import io.restorekit.restore.RestoreResult;
import io.restorekit.restore.RestoreService;
import io.restorekit.source.SourceSpec;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.storage.local.LocalStorage;
import io.restorekit.verify.VerifyReport;
import io.restorekit.verify.VerifyRequest;
import io.restorekit.verify.VerifyService;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Runs the guided demo under {@code <RK_HOME>/demo}: sample data of a small multi-tenant
 * application, a demo configuration and repository, two backups a day apart with changes in
 * between, a single-file restore as of the first backup, and a full verification. Everything it
 * makes stays there, so the operator can continue with the printed commands.
 */
public final class DemoService {
    /** The demo repository's password; printed, and stored in the demo folder. */
    public static final String PASSWORD = "restorekit-demo";
    private static final String MARKER = ".restorekit-demo";
    private static final String LOST_FILE = "tenant-02/billing/invoices/2026-10/INV-2026-0042.xml";

    private final Clock clock;

    public DemoService(Clock clock) {
        this.clock = clock;
    }

    public DemoResult run(Path rkHome, ProgressListener progress) {
        try {
            return runIn(rkHome.resolve("demo"), progress);
        } catch (IOException e) {
            throw new RkException(ErrorCode.FAILED, "the demo could not complete: " + e.getMessage(), e);
        }
    }

    private DemoResult runIn(Path home, ProgressListener progress) throws IOException {
        List<DemoResult.Step> steps = new ArrayList<>();
        reset(home);
        Path uploads = home.resolve("data/uploads");
        Path config = home.resolve("data/config");
        Path repoDir = home.resolve("repository");
        Path configFile = home.resolve("restorekit.yml");
        Path passwordFile = home.resolve("password");

        long t = System.nanoTime();
        int files = sampleUploads(uploads) + sampleConfig(config);
        Files.writeString(configFile, configYaml(), StandardCharsets.UTF_8);
        Files.writeString(passwordFile, PASSWORD + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        steps.add(step("create sample data", files + " files of three tenants under " + home.resolve("data"), t));

        byte[] lostOriginal = Files.readAllBytes(uploads.resolve(LOST_FILE));
        List<SourceSpec> sources = List.of(
                new FilesSourceSpec("uploads", uploads, List.of("**/*.tmp"), "tenant-{tenant}/**"),
                new FilesSourceSpec("config", config, List.of(), null));

        t = System.nanoTime();
        try (Repository repository = Repository.init(LocalStorage.create(repoDir), PASSWORD.toCharArray(),
                RepositoryOptions.defaults())) {
            steps.add(step("create an encrypted repository", repoDir.toString(), t));

            Instant yesterday = clock.instant().minus(Duration.ofDays(1));
            t = System.nanoTime();
            BackupResult first = backup(repository, sources, yesterday, progress);
            steps.add(step("first backup (recorded as yesterday)", describe(first), t));

            t = System.nanoTime();
            String changes = changeFiles(uploads);
            steps.add(step("a day of work", changes, t));

            t = System.nanoTime();
            BackupResult second = backup(repository, sources, clock.instant(), progress);
            steps.add(step("second backup: only changes are read and stored", describe(second), t));

            t = System.nanoTime();
            Path restoredDir = home.resolve("restored");
            RestoreResult restored = new RestoreService(repository).restore(new RestoreRequest("uploads", null,
                    yesterday.plusSeconds(1), List.of(LOST_FILE), restoredDir, false, false), progress);
            Path restoredFile = restoredDir.resolve(LOST_FILE);
            boolean identical = MessageDigest.isEqual(sha256(lostOriginal), sha256(Files.readAllBytes(restoredFile)));
            steps.add(step("restore the deleted invoice as of yesterday",
                    restored.filesWritten() + " file from snapshot " + restored.plan().snapshot().shortId()
                            + " to " + restoredFile + (identical ? "; identical to the original" : "; DIFFERS"), t));

            t = System.nanoTime();
            VerifyReport report = new VerifyService(repository).verify(new VerifyRequest(null, true), progress);
            steps.add(step("verify --read-data", report.ok()
                    ? "no problems; " + Sizes.bytes(report.bytesRead()) + " read, decrypted and hashed"
                    : report.errors() + " problems found", t));

            String env = "RK_CONFIG=" + configFile + " RK_PASSWORD_FILE=" + passwordFile;
            List<String> next = List.of(
                    env + " shell/rk snapshots",
                    env + " shell/rk ls " + second.sources().get(0).snapshotId().substring(0, 8),
                    env + " shell/rk versions --source uploads --file " + LOST_FILE,
                    env + " shell/rk restore --source uploads --at " + yesterday.toString().substring(0, 10)
                            + " --target /tmp/rk-restore --dry-run",
                    env + " shell/rk verify --read-data",
                    env + " shell/rk          # the interactive shell; try TAB");
            return new DemoResult(home, configFile, passwordFile, steps, first.sources().get(0).snapshotId(),
                    second.sources().get(0).snapshotId(), restoredFile, identical, report.ok(), next);
        }
    }

    private static BackupResult backup(Repository repository, List<SourceSpec> sources, Instant time,
                                       ProgressListener progress) {
        BackupResult result = new BackupService(repository).backup(
                new BackupRequest(sources, List.of("demo"), time, null, null), progress);
        if (!result.succeeded()) {
            throw new RkException(result.code(), "demo backup failed: " + result.sources());
        }
        return result;
    }

    private static String describe(BackupResult result) {
        StringBuilder out = new StringBuilder();
        for (BackupResult.SourceResult s : result.sources()) {
            if (!out.isEmpty()) {
                out.append("; ");
            }
            out.append(s.source()).append(' ').append(s.snapshotId(), 0, 8).append(": ")
                    .append(s.summary().files()).append(" files, ").append(s.summary().reusedFiles())
                    .append(" unchanged, ").append(Sizes.bytes(s.summary().addedBytes())).append(" new");
        }
        return out.toString();
    }

    /** Removes a previous demo, refusing to touch a folder that is not one. */
    private static void reset(Path home) throws IOException {
        if (Files.exists(home)) {
            if (!Files.exists(home.resolve(MARKER))) {
                throw new RkException(ErrorCode.BAD_INPUT, "'" + home + "' exists and is not a restorekit demo;"
                        + " move it away or set RK_HOME to another folder");
            }
            try (Stream<Path> all = Files.walk(home)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(home);
        Files.writeString(home.resolve(MARKER), "created by 'rk demo'; deleted and recreated by the next one\n");
    }

    private static int sampleUploads(Path root) throws IOException {
        Random random = new Random(42);
        int count = 0;
        String[] modules = {"billing/invoices", "billing/receipts", "hr/contracts", "documents"};
        for (int tenant = 1; tenant <= 3; tenant++) {
            for (String module : modules) {
                for (int month = 9; month <= 10; month++) {
                    Path dir = root.resolve(String.format("tenant-%02d/%s/2026-%02d", tenant, module, month));
                    Files.createDirectories(dir);
                    for (int i = 0; i < 6; i++) {
                        int number = tenant * 1000 + month * 10 + i;
                        if (module.endsWith("invoices")) {
                            Files.writeString(dir.resolve(String.format("INV-2026-%04d.xml", number)),
                                    invoice(tenant, number, random));
                        } else {
                            byte[] bytes = new byte[4096 + random.nextInt(60_000)];
                            random.nextBytes(bytes);
                            Files.write(dir.resolve(String.format("doc-%04d.pdf", number)), bytes);
                        }
                        count++;
                    }
                }
            }
        }
        Path lost = root.resolve(LOST_FILE);
        if (!Files.exists(lost)) {
            Files.createDirectories(lost.getParent());
            Files.writeString(lost, invoice(2, 42, random));
            count++;
        }
        Files.writeString(root.resolve("tenant-01/upload-in-progress.tmp"), "partial upload, excluded");
        return count;
    }

    private static String invoice(int tenant, int number, Random random) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<invoice tenant=\"")
                .append(tenant).append("\" number=\"").append(number).append("\">\n");
        for (int line = 0; line < 20 + random.nextInt(40); line++) {
            xml.append("  <line item=\"SKU-").append(random.nextInt(10_000)).append("\" qty=\"")
                    .append(1 + random.nextInt(9)).append("\" price=\"").append(random.nextInt(100_000) / 100.0)
                    .append("\"/>\n");
        }
        return xml.append("</invoice>\n").toString();
    }

    private static int sampleConfig(Path root) throws IOException {
        Files.createDirectories(root.resolve("conf.d"));
        Files.writeString(root.resolve("app.yml"), "server:\n  port: 8080\ndatabase:\n  url: jdbc:postgresql://db/app\n");
        Files.writeString(root.resolve("conf.d/tenants.yml"), "tenants: [1, 2, 3]\n");
        Files.writeString(root.resolve("conf.d/mail.yml"), "smtp: mail.example.com\n");
        return 3;
    }

    private static String changeFiles(Path uploads) throws IOException {
        Files.delete(uploads.resolve(LOST_FILE));
        Path edited = uploads.resolve("tenant-01/hr/contracts/2026-10");
        try (Stream<Path> files = Files.list(edited)) {
            Path first = files.sorted().findFirst().orElseThrow();
            Files.write(first, "appended revision\n".getBytes(StandardCharsets.UTF_8),
                    java.nio.file.StandardOpenOption.APPEND);
        }
        Path added = uploads.resolve("tenant-03/billing/invoices/2026-11/INV-2026-9001.xml");
        Files.createDirectories(added.getParent());
        Files.writeString(added, invoice(3, 9001, new Random(7)));
        return "deleted " + LOST_FILE + ", edited one contract of tenant-01, added a November invoice of tenant-03";
    }

    private static String configYaml() {
        return """
                # restorekit demo configuration (made by 'rk demo')
                repository:
                  url: repository
                sources:
                  - name: uploads
                    type: files
                    path: data/uploads
                    tenant-path: "tenant-{tenant}/**"
                    exclude: ["**/*.tmp"]
                  - name: config
                    type: files
                    path: data/config
                """;
    }

    private static DemoResult.Step step(String title, String outcome, long startNanos) {
        return new DemoResult.Step(title, outcome, (System.nanoTime() - startNanos) / 1_000_000);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
