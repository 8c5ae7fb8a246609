package io.restorekit.shell;

import io.restorekit.shell.ChildRk.Run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rk runbook ...} as operators run it: the real entry point in a child JVM (as shell/rk),
 * no configuration file, the default runbook store under RK_HOME. The steps are real commands
 * run in the same process through Spring Shell's command machinery ({@code test-fail} is a
 * command of the test class path that fails on request).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunbookCommandsTest {
    @TempDir
    static Path dir;

    static Run rk(String... args) throws Exception {
        return ChildRk.run(dir, java.util.Map.of("RK_RUNBOOKS_DEFAULTS", Path.of("runbooks").toAbsolutePath().toString()),
                90, args);
    }

    @BeforeAll
    static void writeRunbook() throws IOException {
        Files.writeString(dir.resolve("three.rk"), """
                title: The third step fails
                param code = LOCKED -- how step 3 fails
                ---
                rk version
                rk test-fail count --n 7
                rk test-fail rk --code ${code}
                rk version
                confirm "never asked"
                """);
    }

    @Test
    @Order(1)
    @DisplayName("save, then run: step 3 fails, the run stops there with its exit code, the transcript is committed")
    void thirdStepFails() throws Exception {
        Run saved = rk("runbook", "save", "three", "--file", dir.resolve("three.rk").toString(), "-m", "Stops at 3");
        assertThat(saved.code()).as(saved.err()).isZero();
        assertThat(saved.out()).startsWith("saved runbook 'three' as commit ");

        Run run = rk("runbook", "run", "three");
        assertThat(run.code()).as(run.err()).isEqualTo(4);
        assertThat(run.out()).contains("[1/5] rk version\nrestorekit ")
                .contains("[2/5] rk test-fail count --n 7\nn=7\n      done (exit 0")
                .contains("[3/5] rk test-fail rk --code LOCKED\n      failed (exit 4")
                .doesNotContain("[4/5]");
        assertThat(run.err()).isEqualTo("rk: runbook 'three' stopped at step 3 (line 6, rk test-fail rk --code LOCKED):"
                + " failed on purpose with LOCKED\n");

        Path repo = dir.resolve("home/runbooks");
        Path transcript;
        try (Stream<Path> files = Files.walk(repo.resolve("evidence"))) {
            transcript = files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        assertThat(Files.readString(transcript))
                .contains("outcome:   FAILED with exit code 4")
                .contains("[1] line 4: rk version\n    done, exit 0")
                .contains("[2] line 5: rk test-fail count --n 7\n    done, exit 0").contains("    | n=7\n")
                .contains("[3] line 6: rk test-fail rk --code LOCKED\n    failed, exit 4")
                .contains("    error: failed on purpose with LOCKED")
                .contains("[4] line 7: rk version\n    not run\n")
                .contains("[5] line 8: confirm \"never asked\"\n    not run\n");
    }

    @Test
    @Order(2)
    @DisplayName("--json prints one document; bad parameters exit 2; a confirm without --yes fails when nobody can answer")
    void jsonParametersAndConfirm() throws Exception {
        Run json = rk("runbook", "run", "three", "--param", "code=WRONG_PASSWORD", "--json");
        assertThat(json.code()).isEqualTo(5);
        JsonNode doc = new ObjectMapper().readTree(json.out());
        assertThat(doc.path("exitCode").asInt()).isEqualTo(5);
        assertThat(doc.path("steps").get(1).path("output").asText()).isEqualTo("n=7\n");
        assertThat(doc.path("steps").get(2).path("status").asText()).isEqualTo("FAILED");
        assertThat(doc.path("evidenceCommit").asText()).hasSize(40);

        Run bad = rk("runbook", "run", "three", "--param", "colour=blue");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("rk: runbook 'three': unknown parameter: colour; it takes code=LOCKED"
                + " (give them as --param NAME=VALUE)\n");

        Files.writeString(dir.resolve("ask.rk"), "title: Asks\n---\nrk version\nconfirm \"Go on?\"\nrk version\n");
        assertThat(rk("runbook", "save", "ask", "--file", dir.resolve("ask.rk").toString(), "-m", "Asks").code()).isZero();
        Run unattended = rk("runbook", "run", "ask");
        assertThat(unattended.code()).isEqualTo(1);
        assertThat(unattended.err()).contains("nobody can answer here; run with --yes");
        Run yes = rk("runbook", "run", "ask", "--yes");
        assertThat(yes.code()).as(yes.err()).isZero();
        assertThat(yes.out()).contains("[3/3] rk version").contains(": succeeded in ");
    }

    @Test
    @Order(3)
    @DisplayName("an invalid runbook is refused with the line and the reason; list, log and show name the versions")
    void saveValidatesAndListShows() throws Exception {
        Files.writeString(dir.resolve("bad.rk"), "title: Bad\n---\nrk version\nrk restroe --source db\n");
        Run bad = rk("runbook", "save", "bad", "--file", dir.resolve("bad.rk").toString(), "-m", "typo");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("rk: runbook 'bad' is not valid: line 4: unknown command 'rk restroe'; run"
                + " 'rk help' for the list; nothing was saved or run. Fix the lines named and try again\n");

        Run list = rk("runbook", "list");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains("restore-tenant   Restore one tenant").contains("three ").doesNotContain("bad ");
        Run log = rk("runbook", "log", "three", "--json");
        assertThat(new ObjectMapper().readTree(log.out()).get(0).path("message").asText()).isEqualTo("Stops at 3");
        Run show = rk("runbook", "show", "restore-tenant");
        assertThat(show.out()).contains("tenant        (required)");
    }

    @Test
    @Order(4)
    @DisplayName("a runbook grants no rights: a step needing the master role fails with exit 7 for an operator")
    void stepsKeepTheirRoles() throws Exception {
        Files.writeString(dir.resolve("master.rk"), "title: Needs a master\n---\nrk version\nrk unlock\nrk version\n");
        Run saved = rk("runbook", "save", "needs-master", "--file", dir.resolve("master.rk").toString(), "-m", "unlock");
        assertThat(saved.code()).as(saved.err()).isZero();
        Path config = dir.resolve("restorekit.yml");
        Files.writeString(config, "repository: {url: repo}\nroles:\n  master: [someone-else]\n  operator: ["
                + System.getProperty("user.name") + "]\n");
        try {
            Run run = rk("runbook", "run", "needs-master");
            assertThat(run.code()).as(run.out() + run.err()).isEqualTo(7);
            assertThat(run.out()).contains("[1/3] rk version").contains("[2/3] rk unlock")
                    .contains("failed (exit 7").doesNotContain("[3/3]");
        } finally {
            Files.delete(config);
        }
    }
}
