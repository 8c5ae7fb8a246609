package io.restorekit.shell;

import io.restorekit.shell.ChildRk.Run;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one-command path without Spring ({@link DirectRun}) against the Spring Shell path, each in a
 * child JVM as shell/rk runs them: same stdout, stderr and exit code; runs and audit entries recorded.
 */
class DirectRunTest {
    @TempDir
    static Path dir;
    static String snapshot;

    @BeforeAll
    static void repository() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree/sub"));
        Files.writeString(tree.resolve("notes.txt"), "first version\n");
        Files.writeString(dir.resolve("tree/caf\u00e9 menu.txt"), "unicode name\n");
        Files.write(tree.resolve("data.bin"), new byte[100_000]);
        writeConfig("");
        assertThat(rk(Map.of("RK_NEW_PASSWORD", "pw"), "init").code()).isZero();
        Run backup = rk(Map.of(), "backup");
        assertThat(backup.code()).as(backup.err()).isZero();
        Files.writeString(tree.resolve("notes.txt"), "second version\n");
        assertThat(rk(Map.of(), "backup", "--tag", "second").code()).isZero();
        Run list = rk(Map.of(), "snapshots", "--json");
        snapshot = list.out().replaceAll("(?s).*?\"id\" : \"([0-9a-f]{8}).*", "$1");
        assertThat(snapshot).hasSize(8);
    }

    static void writeConfig(String extra) throws Exception {
        Files.writeString(dir.resolve("restorekit.yml"), "repository:\n  url: " + dir.resolve("repo")
                + "\nsources:\n  - name: files\n    type: files\n    path: " + dir.resolve("tree") + "\n" + extra);
    }

    static Run rk(Map<String, String> env, String... args) throws Exception {
        Map<String, String> all = new HashMap<>(Map.of("RK_PASSWORD", "pw"));
        all.putAll(env);
        return ChildRk.run(dir, all, 120, args);
    }

    /** Runs {@code args} on both paths and asserts that they say and exit the same; returns the direct run. */
    static Run same(Map<String, String> env, String... args) throws Exception {
        Map<String, String> spring = new HashMap<>(env);
        spring.put("RK_DIRECT", "off");
        Run viaSpring = rk(spring, args);
        Run direct = rk(env, args);
        assertThat(direct.err()).as("stderr of %s", List.of(args)).isEqualTo(viaSpring.err());
        assertThat(direct.out()).as("stdout of %s", List.of(args)).isEqualTo(viaSpring.out());
        assertThat(direct.code()).as("exit code of %s", List.of(args)).isEqualTo(viaSpring.code());
        return direct;
    }

    @Nested
    @DisplayName("gives the same output and exit code as the Spring path")
    class SameAsSpring {
        @Test
        void listings() throws Exception {
            assertThat(same(Map.of(), "version").out()).startsWith("restorekit ");
            assertThat(same(Map.of(), "snapshots").out()).contains(snapshot).contains("second");
            same(Map.of(), "snapshots", "--source", "files", "--json");
            assertThat(same(Map.of(), "ls", snapshot).out()).contains("caf\u00e9 menu.txt");
            same(Map.of(), "ls", snapshot, "sub", "--json");
            same(Map.of(), "ls", "--snapshot", snapshot, "--path", "sub/notes.txt");
            assertThat(same(Map.of(), "versions", "--source", "files", "--file", "sub/notes.txt").out())
                    .contains(snapshot);
            same(Map.of(), "restore", "--source", "files", "--file", "sub/notes.txt", "--target",
                    dir.resolve("plan").toString(), "--dry-run");
        }

        @Test
        void failures() throws Exception {
            assertThat(same(Map.of(), "ls", "deadbeef00").code()).isEqualTo(2);
            assertThat(same(Map.of(), "snapshots", "--source", "nope").code()).isEqualTo(2);
            assertThat(same(Map.of(), "backup", "--source", "nope").code()).isEqualTo(2);
            assertThat(same(Map.of(), "restore", "--source", "files", "--file", "sub/notes.txt").code()).isEqualTo(2);
            assertThat(same(Map.of("RK_PASSWORD", "wrong"), "snapshots").code()).isEqualTo(5);
            assertThat(same(Map.of("RK_CONFIG", dir.resolve("missing.yml").toString()), "snapshots").code())
                    .isEqualTo(2);
        }

        @Test
        @DisplayName("command lines it does not take go to the Spring path, which reports them")
        void fallbacks() throws Exception {
            assertThat(same(Map.of(), "snapshots", "--bogus").code()).isEqualTo(2);
            assertThat(same(Map.of(), "ls").code()).isEqualTo(2);
            assertThat(same(Map.of(), "ls", "--snapshot=" + snapshot).code()).isEqualTo(2);
            assertThat(same(Map.of(), "version", "--bogus").code()).isEqualTo(2);
        }
    }

    @Test
    @DisplayName("the launcher's training run for one-command runs stops before Spring; the full one goes on into the shell")
    void warmUpVariants() throws Exception {
        Run direct = rk(Map.of(), "warm-up", "--direct");
        assertThat(direct.code()).as(direct.err()).isZero();
        assertThat(direct.out()).isEmpty();
        Run full = rk(Map.of(), "warm-up");
        assertThat(full.code()).as(full.err()).isZero();
        assertThat(full.out()).as("the shell's warm-up command ran").startsWith("ok ");
    }

    @Test
    @DisplayName("backs up and restores one file, recording the runs and the audit entries")
    void recordsRunsAndAudit() throws Exception {
        Run backup = rk(Map.of(), "backup", "--tag", "direct", "--json");
        assertThat(backup.code()).as(backup.err()).isZero();
        assertThat(backup.out()).contains("\"snapshotId\"");
        Path target = dir.resolve("restored");
        Run restore = rk(Map.of(), "restore", "--source", "files", "--file", "sub/notes.txt", "--target",
                target.toString());
        assertThat(restore.code()).as(restore.err()).isZero();
        assertThat(Files.readString(target.resolve("sub/notes.txt"))).isEqualTo("second version\n");

        Run history = rk(Map.of(), "history", "--json");
        assertThat(history.out()).contains("\"BACKUP\"").contains("\"RESTORE\"");
        Run audit = rk(Map.of(), "audit", "--json");
        assertThat(audit.out()).contains("backup --tag direct --json")
                .contains("restore --source files --file sub/notes.txt --target");
    }

    @Test
    @DisplayName("checks roles through the same gate: denied with exit 7 and an audit entry")
    void rolesDenied() throws Exception {
        writeConfig("roles:\n  master: [nobody-here]\n");
        try {
            Run denied = same(Map.of(), "snapshots", "--source", "files");
            assertThat(denied.code()).isEqualTo(7);
            assertThat(denied.err()).contains("may not run 'snapshots");
        } finally {
            writeConfig("");
        }
        Run audit = rk(Map.of(), "audit", "--json");
        assertThat(audit.out()).contains("NOT_PERMITTED");
    }

    @Nested
    @DisplayName("takes exactly the command lines it understands")
    class Parsing {
        @ParameterizedTest
        @ValueSource(strings = {"version", "snapshots --json", "snapshots --json false", "ls abc",
                "ls abc sub --json", "ls sub --snapshot abc", "backup --source a b --tag t --source c",
                "restore --source s --file a b --target t --dry-run", "verify --read-data", "status --json",
                "versions --source s --file f"})
        void takes(String line) {
            assertThat(DirectRun.parse(List.of(line.split(" ")))).as(line).isNotNull();
        }

        @ParameterizedTest
        @ValueSource(strings = {"help", "version --help", "snapshots -h", "snapshots --bogus", "ls",
                "ls --snapshot=abc", "snapshots --json maybe", "snapshots --source", "ls a b c",
                "restore --file a", "backup --time -1", "snapshots --source a --source b", "key list",
                "init", "warm-up"})
        void leaves(String line) {
            assertThat(DirectRun.parse(List.of(line.split(" ")))).as(line).isNull();
        }

        @Test
        void bindsValues() {
            DirectRun.Invocation backup = DirectRun.parse(List.of("backup", "--source", "a", "b", "--tag", "t",
                    "--source", "c", "--json"));
            assertThat(backup.arguments()).containsExactly(List.of("a", "b", "c"), List.of("t"), null, true, null);
            DirectRun.Invocation ls = DirectRun.parse(List.of("ls", "sub", "--snapshot", "abc"));
            assertThat(ls.arguments()).containsExactly("abc", "sub", false);
        }
    }
}
