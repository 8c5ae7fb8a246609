package io.restorekit.shell;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restorekit.catalog.AuditSpool;
import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.catalog.JdbcCatalog;
import io.restorekit.catalog.LazyCatalog;
import io.restorekit.catalog.RunQuery;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.config.ConfigLoader;
import io.restorekit.config.PasswordProvider;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.StorageFactory;
import io.restorekit.repository.LockRequest;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryLock;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.storage.local.LocalStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The commands in process against a real local repository: a configuration in a temporary
 * folder, the password through {@link PasswordProvider}, outputs and exit codes as operators see them.
 */
class CommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "correct horse";

    @TempDir
    Path dir;
    Path data;
    byte[] original;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    List<RepositorySession> sessions = new ArrayList<>();
    RepositorySession session;

    @BeforeEach
    void setUp() throws IOException {
        data = dir.resolve("data");
        Files.createDirectories(data.resolve("sub"));
        original = "invoice 42, first version\n".getBytes(StandardCharsets.UTF_8);
        Files.write(data.resolve("a.txt"), original);
        byte[] big = new byte[300_000];
        new Random(11).nextBytes(big);
        Files.write(data.resolve("sub/b.bin"), big);
        Files.createSymbolicLink(data.resolve("link"), Path.of("a.txt"));
        Files.writeString(dir.resolve("restorekit.yml"), """
                repository: {url: repo}
                sources:
                  - {name: files, type: files, path: data}
                  - {name: db, type: postgres, url: "jdbc:postgresql://127.0.0.1:1/app"}
                """);
        Repository.init(LocalStorage.create(dir.resolve("repo")), PASSWORD.toCharArray(),
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20)).close();
        session = session(PASSWORD);
    }

    @AfterEach
    void tearDown() {
        sessions.forEach(RepositorySession::close);
    }

    RepositorySession session(String password) {
        return session(Map.of("RK_PASSWORD", password));
    }

    RepositorySession session(Map<String, String> passwords) {
        Map<String, String> env = new java.util.HashMap<>(passwords);
        env.put("RK_CONFIG", dir.resolve("restorekit.yml").toString());
        env.put("RK_HOME", dir.resolve("home").toString());
        RepositorySession s = new RepositorySession(new ConfigLoader(env, dir), new StorageFactory(),
                new PasswordProvider(env, prompt -> null));
        sessions.add(s);
        return s;
    }

    Interaction unattended() {
        return Interaction.unattended(new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err);
    }

    Interaction answering(boolean yes) {
        return new Interaction(new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err, false,
                question -> Optional.of(yes));
    }

    String stdout() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    interface Call {
        void run() throws Exception;
    }

    /** The exit code the shell would give for this call. */
    static int exit(Call call) {
        try {
            call.run();
            return 0;
        } catch (Throwable t) {
            return Failure.of(t).exitCode();
        }
    }

    static String message(Call call) {
        try {
            call.run();
        } catch (Throwable t) {
            return Failure.of(t).message();
        }
        return fail("expected a failure");
    }

    String backup() throws IOException {
        JsonNode result = json(new BackupCommand(session, unattended()).backup(List.of("files"), List.of("t"), null,
                true, null));
        return result.path("sources").get(0).path("snapshotId").asText();
    }

    String restore(Interaction io, String snapshot, String file, Path target, boolean dryRun, boolean yes,
                   boolean json) throws IOException {
        return new RestoreCommand(session, io).restore("files", snapshot, null, null, null,
                file == null ? null : List.of(file), target == null ? null : target.toString(), false, dryRun, yes,
                json, null);
    }

    static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }

    @Test
    @DisplayName("backup, snapshots, ls, versions, restore one file, a dry-run plan and verify, as an operator would")
    void roundTrip() throws IOException {
        String out = new BackupCommand(session, unattended()).backup(List.of("files"), List.of(), null, false, null);
        assertThat(out.lines().findFirst().orElseThrow())
                .matches("SOURCE\\s+SNAPSHOT\\s+FILES\\s+UNCHANGED\\s+NEW\\s+STORED\\s+TIME\\s+WARNINGS");
        assertThat(out).containsPattern("files\\s+[0-9a-f]{8}\\s+2\\s+0\\s+");
        String first = new RepositoryCommands(session, new InMemoryCatalog()).snapshots(null, true).lines()
                .filter(l -> l.contains("\"id\"")).findFirst().orElseThrow().replaceAll(".*\"id\" : \"([0-9a-f]+)\".*", "$1");

        Files.writeString(data.resolve("a.txt"), "invoice 42, edited\n");
        String second = backup();
        assertThat(new RepositoryCommands(session, new InMemoryCatalog()).snapshots("files", false))
                .contains(first.substring(0, 8)).contains(second.substring(0, 8)).contains("t");

        String ls = new BrowseCommands(session).ls(second.substring(0, 8), null, false);
        assertThat(ls).contains("snapshot " + second.substring(0, 8) + " (files, ")
                .containsPattern("file\\s+rw-r--r--\\s+19 B\\s+\\S+ \\S+\\s+a\\.txt")
                .containsPattern("dir\\s+rwxr-xr-x\\s+\\S+ \\S+\\s+sub")
                .contains("link -> a.txt");
        JsonNode sub = json(new BrowseCommands(session).ls(second, "sub", true));
        assertThat(sub.path("entries").get(0).path("name").asText()).isEqualTo("b.bin");
        assertThat(sub.path("entries").get(0).path("size").asLong()).isEqualTo(300_000);

        String versions = new BrowseCommands(session).versions("files", "a.txt", false);
        assertThat(versions.lines().filter(l -> l.endsWith("*")).count()).isEqualTo(2);
        assertThat(json(new BrowseCommands(session).versions("files", "sub/b.bin", true)).path("versions")
                .get(1).path("changed").asBoolean()).isFalse();

        Path target = dir.resolve("restored");
        String restored = restore(unattended(), first.substring(0, 10), "a.txt", target, false, false, false);
        assertThat(restored).startsWith("restored from snapshot " + first.substring(0, 8)).contains("1 file created, 0 overwritten");
        assertThat(Files.readAllBytes(target.resolve("a.txt"))).isEqualTo(original);
        assertThat(target.resolve("sub")).doesNotExist();

        JsonNode plan = json(restore(unattended(), null, null, target, true, false, true));
        assertThat(plan.path("dryRun").asBoolean()).isTrue();
        assertThat(plan.path("snapshot").path("id").asText()).isEqualTo(second);
        assertThat(plan.path("filesToOverwrite").asLong()).isEqualTo(1);
        assertThat(plan.path("filesToWrite").asLong()).isEqualTo(2);
        assertThat(plan.path("items").findValuesAsText("action")).contains("OVERWRITE", "CREATE");
        String text = restore(unattended(), null, null, target, true, false, false);
        assertThat(text).containsPattern("OVERWRITE\\s+file\\s+19 B\\s+a\\.txt")
                .containsPattern("CREATE\\s+file\\s+293 KiB\\s+sub/b\\.bin")
                .contains("2 to create, 1 to overwrite, 0 unchanged").endsWith("dry run: nothing was written");
        assertThat(Files.readAllBytes(target.resolve("a.txt"))).isEqualTo(original);

        String verify = new VerifyCommand(session, unattended()).verify(null, true, null, false);
        assertThat(verify).startsWith("verified 2 snapshots, ").contains("read and authenticated").endsWith("no problems found");
        assertThat(json(new VerifyCommand(session, unattended()).verify(second, false, null, true)).path("ok").asBoolean())
                .isTrue();
    }

    @Test
    @DisplayName("verify after a flipped byte in a pack: exit 3, the damaged file named, also with --json")
    void verifyFindsDamage() throws IOException {
        String snapshot = backup();
        Path pack;
        try (Stream<Path> files = Files.walk(dir.resolve("repo/data"))) {
            pack = files.filter(Files::isRegularFile).max(Comparator.comparingLong(p -> p.toFile().length()))
                    .orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(pack);
        bytes[bytes.length / 2] ^= 0x40;
        pack.toFile().setWritable(true);
        Files.write(pack, bytes);

        VerifyCommand verify = new VerifyCommand(session, unattended());
        assertThat(exit(() -> verify.verify(null, true, null, false))).isEqualTo(3);
        assertThat(stdout()).contains("ERROR").contains(snapshot.substring(0, 8) + ":files:sub/b.bin")
                .contains("snapshots: " + snapshot.substring(0, 8));
        assertThat(message(() -> verify.verify(null, true, null, false))).contains("found 1 error");

        stdout.reset();
        assertThat(exit(() -> verify.verify(null, true, null, true))).isEqualTo(3);
        JsonNode report = json(stdout());
        assertThat(report.path("ok").asBoolean()).isFalse();
        assertThat(report.path("problems").get(0).path("files").get(0).asText()).endsWith(":files:sub/b.bin");
    }

    @Test
    @DisplayName("unknown sources and snapshots, missing targets and database restores are bad input (exit 2)")
    void badInput() throws IOException {
        String snapshot = backup();
        Path target = dir.resolve("t");
        assertThat(exit(() -> new BackupCommand(session, unattended()).backup(List.of("nope"), null, null, false, null)))
                .isEqualTo(2);
        assertThat(message(() -> new RestoreCommand(session, unattended()).restore("nope", null, null, null, null, null,
                target.toString(), false, false, false, false, null))).contains("unknown source 'nope'");
        assertThat(exit(() -> new BrowseCommands(session).ls("deadbeef", null, false))).isEqualTo(2);
        assertThat(exit(() -> restore(unattended(), "deadbeef", null, target, false, false, false))).isEqualTo(2);
        assertThat(exit(() -> new BrowseCommands(session).versions("files", "no/such/file", false))).isEqualTo(2);
        assertThat(message(() -> restore(unattended(), null, null, null, false, false, false)))
                .contains("--target DIR or --in-place");
        assertThat(exit(() -> new RestoreCommand(session, unattended()).restore("files", snapshot, "yesterday",
                null, null, null, target.toString(), false, false, false, false, null))).isEqualTo(2);
        assertThat(exit(() -> new RestoreCommand(session, unattended()).restore("files", null, "someday",
                null, null, null, target.toString(), false, false, false, false, null))).isEqualTo(2);
        String db = message(() -> new RestoreCommand(session, unattended()).restore("db", null, null, null, null,
                null, target.toString(), false, false, false, false, null));
        assertThat(db).contains("jdbc:postgresql://HOST[:PORT]/DATABASE").contains(target.toString());
        assertThat(exit(() -> new RestoreCommand(session, unattended()).restore("files", null, null, "42", null,
                null, target.toString(), false, false, false, false, null))).isEqualTo(2);
        assertThat(target).doesNotExist();
    }

    @Test
    @DisplayName("a failed source: the others are backed up and shown, the exit code (6: unreachable) and message name the failure")
    void backupWithAFailedSource() {
        BackupCommand backup = new BackupCommand(session, unattended());
        assertThat(exit(() -> backup.backup(List.of("files", "db"), null, null, false, null))).isEqualTo(6);
        assertThat(stdout()).containsPattern("files\\s+[0-9a-f]{8}\\s+2").containsPattern("db\\s+FAILED");
        assertThat(message(() -> backup.backup(List.of("db"), null, null, false, null))).contains("source 'db'");
    }

    @Test
    void wrongPasswordIsExit5() {
        assertThat(exit(() -> new RepositoryCommands(session("not the password"), new InMemoryCatalog())
                .snapshots(null, false)))
                .isEqualTo(5);
    }

    @Test
    @DisplayName("restore over changed files: refused without --yes when unattended, asked in the shell")
    void overwriteNeedsConsent() throws IOException {
        backup();
        Path target = dir.resolve("t");
        restore(unattended(), null, "a.txt", target, false, false, false);
        Files.writeString(target.resolve("a.txt"), "changed on disk\n");

        assertThat(exit(() -> restore(unattended(), null, "a.txt", target, false, false, false))).isEqualTo(1);
        assertThat(Files.readString(target.resolve("a.txt"))).isEqualTo("changed on disk\n");
        assertThat(message(() -> restore(answering(false), null, "a.txt", target, false, false, false)))
                .isEqualTo("restore cancelled; nothing was written");
        assertThat(Files.readString(target.resolve("a.txt"))).isEqualTo("changed on disk\n");

        assertThat(restore(answering(true), null, "a.txt", target, false, false, false)).contains("0 files created, 1 overwritten");
        assertThat(Files.readAllBytes(target.resolve("a.txt"))).isEqualTo(original);
        Files.writeString(target.resolve("a.txt"), "changed again\n");
        restore(unattended(), null, "a.txt", target, false, true, false);
        assertThat(Files.readAllBytes(target.resolve("a.txt"))).isEqualTo(original);
    }

    @Test
    @DisplayName("--in-place restores into the source's own folder")
    void inPlace() throws IOException {
        backup();
        Files.delete(data.resolve("a.txt"));
        String out = new RestoreCommand(session, unattended()).restore("files", null, null, null, null, List.of("a.txt"),
                null, true, false, false, false, null);
        assertThat(out).contains("into " + data.toAbsolutePath().normalize());
        assertThat(Files.readAllBytes(data.resolve("a.txt"))).isEqualTo(original);
    }

    @Test
    @DisplayName("key add, list, passwd and remove; unlock keeps live locks unless --all")
    void keysAndLocks() throws IOException {
        RepositorySession withNew = session(Map.of("RK_PASSWORD", PASSWORD, "RK_NEW_PASSWORD", "second"));
        KeyCommands keys = new KeyCommands(withNew);
        String added = keys.add().replace("added key ", "");
        assertThat(keys.list(false).lines().skip(1)).hasSize(2);
        keys.remove(added);
        assertThat(keys.list(false).lines().skip(1)).singleElement().satisfies(l -> assertThat(l).endsWith("*"));
        assertThat(exit(() -> keys.remove(added))).isEqualTo(2);
        keys.passwd();
        assertThat(exit(() -> new RepositoryCommands(session(PASSWORD), new InMemoryCatalog()).snapshots(null, false)))
                .isEqualTo(5);
        assertThat(exit(() -> new RepositoryCommands(session("second"), new InMemoryCatalog()).snapshots(null, false)))
                .isZero();

        RepositoryCommands commands = new RepositoryCommands(withNew, new InMemoryCatalog());
        try (RepositoryLock lock = withNew.repository().lock(LockRequest.shared("verify"))) {
            assertThat(commands.unlock(false)).startsWith("removed 0 stale locks; 1 lock of running processes kept")
                    .contains("verify");
            assertThat(commands.unlock(true)).isEqualTo("removed 1 lock");
        }
    }

    @Test
    @DisplayName("--at: a date means the end of that day in the local zone; today and yesterday work")
    void times() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
        ZoneId paris = ZoneId.of("Europe/Paris");
        assertThat(Times.endOf("2026-11-21", clock, paris)).isEqualTo(Instant.parse("2026-11-21T22:59:59.999999999Z"));
        assertThat(Times.startOf("2026-11-21", clock, paris)).isEqualTo(Instant.parse("2026-11-20T23:00:00Z"));
        assertThat(Times.endOf("2026-11-21T15:00", clock, paris)).isEqualTo(Instant.parse("2026-11-21T14:00:00Z"));
        assertThat(Times.endOf("2026-11-21 15:00:30", clock, paris)).isEqualTo(Instant.parse("2026-11-21T14:00:30Z"));
        assertThat(Times.endOf("2026-11-21T15:00Z", clock, paris)).isEqualTo(Instant.parse("2026-11-21T15:00:00Z"));
        assertThat(Times.endOf("yesterday", clock, paris)).isEqualTo(Instant.parse("2026-11-21T22:59:59.999999999Z"));
        assertThat(Times.endOf("Today", clock, paris)).isEqualTo(Instant.parse("2026-11-22T22:59:59.999999999Z"));
        assertThat(exit(() -> Times.endOf("21/11/2026", clock, paris))).isEqualTo(2);
    }

    @Test
    @DisplayName("index rebuild recreates lost index files from the packs, and the data restores again")
    void indexRebuild() throws IOException {
        backup();
        session.reset();
        Path index = dir.resolve("repo/index");
        try (Stream<Path> files = Files.list(index)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }

        String out = new IndexCommands(session, unattended()).rebuild(false);

        assertThat(out).startsWith("indexed ").contains("replaced 0 index files");
        Path target = dir.resolve("out");
        restore(unattended(), null, "sub/b.bin", target, false, false, false);
        assertThat(Files.readAllBytes(target.resolve("sub/b.bin"))).isEqualTo(Files.readAllBytes(data.resolve("sub/b.bin")));
    }

    @Test
    @DisplayName("init creates the catalog, so that the first backup does not; a catalog that cannot open is a warning")
    void initPreparesTheCatalog() throws IOException {
        Path file = dir.resolve("home/catalog");
        LazyCatalog catalog = new LazyCatalog(() -> JdbcCatalog.open("jdbc:h2:file:" + file, null, null),
                new AuditSpool(dir.resolve("home/audit.spool")));
        String out = new RepositoryCommands(freshRepository("first"), catalog).init();
        assertThat(out).startsWith("created repository ").doesNotContain("warning");
        assertThat(catalog.isOpen()).isTrue();
        assertThat(dir.resolve("home/catalog.mv.db")).isRegularFile();
        assertThat(catalog.runs(RunQuery.ALL)).isEmpty();
        catalog.close();

        LazyCatalog unreachable = new LazyCatalog(() -> {
            throw new RkException(ErrorCode.UNREACHABLE, "catalog 'jdbc:postgresql://127.0.0.1:1/rk' cannot be"
                    + " migrated: Connection refused; check 'catalog.url' and that the database is reachable");
        }, new AuditSpool(dir.resolve("home/audit.spool")));
        RepositorySession second = freshRepository("second");
        out = new RepositoryCommands(second, unreachable).init();
        assertThat(out.lines()).hasSize(2);
        assertThat(out.lines().toList().get(1)).startsWith("warning: catalog 'jdbc:postgresql://127.0.0.1:1/rk'"
                + " cannot be migrated: Connection refused");
        assertThat(second.repository().snapshots()).isEmpty();
    }

    /** A session for a repository not made yet, at {@code name}, with its own configuration file. */
    RepositorySession freshRepository(String name) throws IOException {
        Path config = Files.writeString(dir.resolve(name + ".yml"), "repository: {url: " + name + "-repo}\n"
                + "sources:\n  - {name: files, type: files, path: data}\n");
        Map<String, String> env = new java.util.HashMap<>(Map.of("RK_PASSWORD", PASSWORD, "RK_NEW_PASSWORD", PASSWORD,
                "RK_CONFIG", config.toString(), "RK_HOME", dir.resolve("home").toString()));
        RepositorySession s = new RepositorySession(new ConfigLoader(env, dir), new StorageFactory(),
                new PasswordProvider(env, prompt -> null));
        sessions.add(s);
        return s;
    }
}
