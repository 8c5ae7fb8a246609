package io.restorekit.demo;

import io.restorekit.backup.BackupRequest;
import io.restorekit.backup.BackupResult;
import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.common.Sizes;
import io.restorekit.backup.BackupService;
import io.restorekit.drill.DrillReport;
import io.restorekit.drill.DrillRequest;
import io.restorekit.drill.DrillService;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.restore.RestoreRequest;
import io.restorekit.restore.RestoreResult;
import io.restorekit.restore.RestoreService;
import io.restorekit.source.SourceSpec;
import io.restorekit.restore.DatabaseRestoreRequest;
import io.restorekit.restore.DatabaseRestoreResult;
import io.restorekit.restore.DatabaseRestoreService;
import io.restorekit.restore.ScopedRestoreRequest;
import io.restorekit.restore.ScopedRestoreResult;
import io.restorekit.source.postgres.ScopedRestore;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.EmbeddedServer;
import io.restorekit.source.postgres.PgConnect;
import io.restorekit.source.postgres.PostgresSourceSpec;
import io.restorekit.source.postgres.TableCheck;
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
 * Runs the guided demo under {@code <RK_HOME>/demo}: sample files of a small multi-tenant
 * application and its database on an embedded PostgreSQL, a demo configuration and repository,
 * two backups a day apart with changes in between, a single-file restore and a whole-database
 * restore as of the first backup (every table checked against the snapshot), a full
 * verification, and a restore drill of the latest snapshots with its report. The embedded server is stopped and removed at the end; everything else stays
 * there, so the operator can continue with the printed commands.
 */
public final class DemoService {
    /** The demo repository's password; printed, and stored in the demo folder. */
    public static final String PASSWORD = "restorekit-demo";
    private static final String MARKER = ".restorekit-demo";
    private static final String LOST_FILE = "tenant-02/billing/invoices/2026-10/INV-2026-0042.xml";
    private static final String LOST_INVOICE = "INV-2026-0042";
    private static final String ADDED_FILE = "tenant-03/billing/invoices/2026-11/INV-2026-9001.xml";
    private static final String DATABASE = "app";
    private static final String RESTORED_DATABASE = "app_restored";

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
        Files.writeString(passwordFile, PASSWORD + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        steps.add(step("create sample data", files + " files of three tenants under " + home.resolve("data"), t));

        t = System.nanoTime();
        // The server lives only as long as the demo: stopped, and its data folder removed, at the end.
        try (EmbeddedServer server = EmbeddedServer.start(home.resolve("postgres"), null)) {
            server.recreateDatabase(DATABASE);
            PgConnect app = server.connect(DATABASE);
            SampleDatabase.create(app, uploads);
            Files.writeString(configFile, configYaml(server.url(DATABASE)), StandardCharsets.UTF_8);
            steps.add(step("start an embedded PostgreSQL with the sample application",
                    SampleDatabase.rows(app) + " rows of three tenants in companies, users, invoices, invoice_items,"
                            + " receipts, documents; database '" + DATABASE + "' on port " + server.port(), t));
            return withServer(home, server, app, uploads, config, repoDir, configFile, passwordFile, steps,
                    progress);
        }
    }

    private DemoResult withServer(Path home, EmbeddedServer server, PgConnect app, Path uploads, Path config,
                                  Path repoDir, Path configFile, Path passwordFile, List<DemoResult.Step> steps,
                                  ProgressListener progress) throws IOException {
        byte[] lostOriginal = Files.readAllBytes(uploads.resolve(LOST_FILE));
        List<SourceSpec> sources = List.of(
                new FilesSourceSpec("uploads", uploads, List.of("**/*.tmp"), "tenant-{tenant}/**"),
                new FilesSourceSpec("config", config, List.of(), null),
                new PostgresSourceSpec("db", server.url(DATABASE), EmbeddedServer.USER, null, null, "tenant_id",
                        List.of(), List.of(), 2, null));

        long t = System.nanoTime();
        try (Repository repository = Repository.init(LocalStorage.create(repoDir), PASSWORD.toCharArray(),
                RepositoryOptions.defaults())) {
            steps.add(step("create an encrypted repository", repoDir.toString(), t));

            Instant yesterday = clock.instant().minus(Duration.ofDays(1));
            t = System.nanoTime();
            BackupResult first = backup(repository, sources, yesterday, progress);
            steps.add(step("first backup (recorded as yesterday)", describe(first), t));

            t = System.nanoTime();
            String changes = changeFiles(uploads) + "; " + SampleDatabase.dayOfWork(app, uploads, LOST_FILE,
                    LOST_INVOICE, uploads.resolve(ADDED_FILE));
            steps.add(step("a day of work", changes, t));

            t = System.nanoTime();
            BackupResult second = backup(repository, sources, clock.instant(), progress);
            steps.add(step("second backup: only new data is stored", describe(second), t));

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
            DatabaseRestoreService databases = new DatabaseRestoreService(repository);
            DatabaseRestoreResult db = databases.restore(new DatabaseRestoreRequest("db", null,
                    yesterday.plusSeconds(1), server.url(RESTORED_DATABASE), EmbeddedServer.USER, null, 2, false,
                    false), progress);
            DatabaseManifest manifest = DatabaseManifest.load(repository, repository.loadSnapshot(db.snapshotId())
                    .tree());
            List<TableCheck> checks = TableCheck.compare(manifest, server.connect(RESTORED_DATABASE));
            boolean databaseIdentical = !checks.isEmpty() && checks.stream().allMatch(TableCheck::equal);
            boolean invoiceBack = SampleDatabase.invoices(server.connect(RESTORED_DATABASE), 2, LOST_INVOICE) == 1;
            steps.add(step("restore yesterday's database into a new one", db.tables() + " tables, " + db.rows()
                    + " rows from snapshot " + db.snapshotId().substring(0, 8) + " into '" + RESTORED_DATABASE + "'; "
                    + (databaseIdentical ? "every table's rows and digest match the snapshot"
                    : "TABLES DIFFER from the snapshot") + (invoiceBack ? "; invoice " + LOST_INVOICE
                    + " of tenant 2 is back" : ""), t));

            t = System.nanoTime();
            boolean tenantRestored = tenantRestore(repository, server, app, steps, progress);

            t = System.nanoTime();
            server.close();
            steps.add(step("stop the embedded PostgreSQL", "server stopped, its data folder removed", t));

            t = System.nanoTime();
            VerifyReport report = new VerifyService(repository).verify(new VerifyRequest(null, true), progress);
            steps.add(step("verify --read-data", report.ok()
                    ? "no problems; " + Sizes.bytes(report.bytesRead()) + " read, decrypted and hashed"
                    : report.errors() + " problems found", t));

            t = System.nanoTime();
            DrillReport drill = drill(repository, sources, home, progress);
            steps.add(step("restore drill into a throwaway embedded PostgreSQL", (drill.status() == RunStatus.SUCCEEDED
                    ? "passed" : drill.status().name()) + ": " + drill.checks().size() + " checks, restore "
                    + DrillReport.human(drill.restoreMs()) + ", nothing left behind", t));

            String env = "RK_CONFIG=" + configFile + " RK_PASSWORD_FILE=" + passwordFile;
            String dbSnapshot = second.sources().get(2).snapshotId();
            List<String> next = List.of(
                    env + " shell/rk snapshots",
                    env + " shell/rk ls " + second.sources().get(0).snapshotId().substring(0, 8),
                    env + " shell/rk ls " + dbSnapshot.substring(0, 8) + "          # the database's tables",
                    env + " shell/rk versions --source uploads --file " + LOST_FILE,
                    env + " shell/rk restore --source uploads --at " + yesterday.toString().substring(0, 10)
                            + " --target /tmp/rk-restore --dry-run",
                    env + " shell/rk restore --source db --target jdbc:postgresql://HOST/NEWDB?user=ROLE --dry-run",
                    env + " shell/rk restore --source uploads --tenant 02 --module billing --at "
                            + yesterday.toString().substring(0, 10) + " --target /tmp/rk-tenant --dry-run",
                    env + " shell/rk verify --read-data",
                    env + " shell/rk          # the interactive shell; try TAB");
            List<DemoResult.TableMatch> tables = checks.stream()
                    .map(c -> new DemoResult.TableMatch(c.table(), c.expectedRows(), c.equal())).toList();
            return new DemoResult(home, configFile, passwordFile, steps, first.sources().get(0).snapshotId(),
                    second.sources().get(0).snapshotId(), restoredFile, identical, db.snapshotId(), tables,
                    databaseIdentical, report.ok(), next, tenantRestored, drill);
        }
    }

    /**
     * A drill of the latest snapshots: the database into its own embedded server (the sample one is
     * stopped by now), the files into a scratch folder, with one application check.
     */
    private DrillReport drill(Repository repository, List<SourceSpec> sources, Path home, ProgressListener progress) {
        DrillRequest request = new DrillRequest(sources, null, null, DrillRequest.EMBEDDED, null, null, false,
                Duration.ofMinutes(5), List.of(new DrillRequest.SqlCheck("every invoice belongs to a company",
                "select count(*) from invoices i left join companies c on c.id = i.company_id where c.id is null",
                "= 0")), 0, 10, null);
        return new DrillService(repository, new InMemoryCatalog(), home, clock).run(request, progress);
    }

    /**
     * Tenant 2 loses invoices after the last backup; its billing module is restored in place from
     * that backup (plan first), and tenants 1 and 3 are shown untouched.
     */
    private static boolean tenantRestore(Repository repository, EmbeddedServer server, PgConnect app,
                                         List<DemoResult.Step> steps, ProgressListener progress) {
        long t = System.nanoTime();
        String tenant2 = SampleDatabase.billing(app, 2);
        String tenant1 = SampleDatabase.billing(app, 1);
        String tenant3 = SampleDatabase.billing(app, 3);
        int lost = SampleDatabase.loseInvoices(app, 2, 25);
        steps.add(step("tenant 2 deletes invoices by mistake", lost + " invoices of tenant 2 deleted, with their"
                + " items and receipts", t));

        t = System.nanoTime();
        PostgresSourceSpec db = new PostgresSourceSpec("db", server.url(DATABASE), EmbeddedServer.USER, null, null,
                "tenant_id", List.of(), List.of(), 2, null);
        DatabaseRestoreService service = new DatabaseRestoreService(repository);
        List<String> billing = List.of("invoices", "invoice_items", "receipts");
        ScopedRestoreResult plan = service.restoreScoped(new ScopedRestoreRequest(db, null, null, "2", "billing",
                billing, null, null, null, true, true, false), progress);
        ScopedRestoreResult applied = service.restoreScoped(new ScopedRestoreRequest(db, plan.snapshot().id(), null,
                "2", "billing", billing, null, null, null, true, false, true), progress);
        ScopedRestore.Outcome o = applied.outcome();
        boolean back = SampleDatabase.billing(app, 2).equals(tenant2);
        boolean others = SampleDatabase.billing(app, 1).equals(tenant1) && SampleDatabase.billing(app, 3).equals(tenant3);
        steps.add(step("restore tenant 2's billing in place (plan, then one transaction)",
                "plan: " + plan.rowsChanged() + " rows to insert; applied: " + o.total(ScopedRestore.TablePlan::toInsert)
                        + " rows inserted into " + o.tables().size() + " tables, reading " + Sizes.bytes(o.bytesRead())
                        + " of " + Sizes.bytes(o.tableBytes()) + " of table data; " + (back
                        ? "tenant 2's billing equals the backup" : "tenant 2's billing DIFFERS from the backup")
                        + (others ? "; tenants 1 and 3 untouched" : "; tenants 1 and 3 CHANGED"), t));
        return back && others;
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
            out.append(s.source()).append(' ').append(s.snapshotId(), 0, 8).append(": ");
            if (s.tables() != null) {
                out.append(s.tables().size()).append(" tables, ")
                        .append(s.tables().stream().mapToLong(BackupResult.TableResult::rows).sum()).append(" rows, ")
                        .append(Sizes.bytes(s.summary().addedBytes())).append(" new");
                continue;
            }
            out.append(s.summary().files()).append(" files, ").append(s.summary().reusedFiles())
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
        Path added = uploads.resolve(ADDED_FILE);
        Files.createDirectories(added.getParent());
        Files.writeString(added, invoice(3, 9001, new Random(7)));
        return "deleted " + LOST_FILE + ", edited one contract of tenant-01, added a November invoice of tenant-03";
    }

    private static String configYaml(String databaseUrl) {
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
                  # The demo's database ran on an embedded PostgreSQL that the demo stopped and removed when it
                  # finished: its snapshots can be listed (ls) and restored into another server (restore
                  # --target), but 'backup' of this source fails until the url names a running server.
                  - name: db
                    type: postgres
                    url: %s
                    username: postgres
                    tenant-column: tenant_id
                modules:
                  billing:
                    tables: [invoices, invoice_items, receipts]
                    paths: ["*/billing/**"]
                """.formatted(databaseUrl);
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
