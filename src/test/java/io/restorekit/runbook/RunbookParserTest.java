package io.restorekit.runbook;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class RunbookParserTest {

    @Test
    @DisplayName("every default runbook in the project's runbooks/ parses against the command contract")
    void defaultRunbooksParse() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("runbooks"))) {
            files = s.filter(f -> f.toString().endsWith(".rk")).sorted().toList();
        }
        assertThat(files.stream().map(f -> f.getFileName().toString())).contains("server-recovery.rk",
                "restore-tenant.rk", "restore-module.rk", "recover-file.rk", "monthly-drill.rk", "offline-export.rk",
                "cctv-recovery.rk");
        for (Path f : files) {
            String name = f.getFileName().toString().replace(".rk", "");
            Runbook r = RunbookParser.parse(name, Files.readString(f), RunbookParser.CONTRACT_COMMANDS);
            assertThat(r.title()).as(name).isNotBlank();
            assertThat(r.steps()).as(name).isNotEmpty();
        }
    }

    @Test
    @DisplayName("header, parameters, quoting, continuation lines and substitution")
    void parsesTheFormat() {
        Runbook r = RunbookParser.parse("t", """
                title: Restore one tenant
                description: first line
                description: second line
                role: admin
                target-time: 30m
                param tenant -- the tenant
                param at = yesterday -- when
                param note = "two words"
                ---
                # comment
                echo "Tenant ${tenant}"
                rk restore --source db --tenant ${tenant} \\
                   --at ${at} --tag "${note}"
                rk verify || continue
                confirm "Go on with ${tenant}?"
                """, RunbookParser.CONTRACT_COMMANDS);
        assertThat(r.description()).isEqualTo("first line second line");
        assertThat(r.role()).isEqualTo("admin");
        assertThat(r.targetTime()).isEqualTo(Duration.ofMinutes(30));
        assertThat(r.params()).containsExactly(new Runbook.Param("tenant", null, "the tenant"),
                new Runbook.Param("at", "yesterday", "when"), new Runbook.Param("note", "two words", ""));
        assertThat(r.steps()).hasSize(4);
        Runbook.Step restore = r.steps().get(1).expand(Map.of("tenant", "42", "at", "2026-11-20", "note", "a b"));
        assertThat(restore.line()).isEqualTo(12);
        assertThat(restore.words()).containsExactly("restore", "--source", "db", "--tenant", "42", "--at",
                "2026-11-20", "--tag", "a b");
        assertThat(r.steps().get(2).continueOnFailure()).isTrue();
        assertThat(r.steps().get(2).words()).containsExactly("verify");
        assertThat(r.steps().get(3).kind()).isEqualTo(Runbook.Kind.CONFIRM);
        assertThat(r.steps().get(3).expand(Map.of("tenant", "7")).text()).isEqualTo("Go on with 7?");
    }

    @Test
    @DisplayName("an invalid runbook is refused with every problem's line and reason")
    void reportsEveryProblemWithItsLine() {
        InvalidRunbookException e = catchThrowableOfType(InvalidRunbookException.class, () -> RunbookParser.parse("bad", """
                description: no title
                colour: blue
                param tenant
                param tenant
                ---
                rk snapshots
                restor --tenant ${tenant}
                rk restoer --tenant 1
                rk verify --snapshot ${snapshot}
                echo "unclosed
                rk verify && rk snapshots
                """, RunbookParser.CONTRACT_COMMANDS));
        assertThat(e.problems()).containsExactlyInAnyOrder(
                "line 2: unknown header 'colour'; known: title, description, role, target-time, param",
                "line 4: parameter 'tenant' is declared twice",
                "line 7: unknown step 'restor'; a step is 'rk COMMAND ...', 'echo TEXT' or 'confirm \"QUESTION\"'",
                "line 8: unknown command 'rk restoer'; run 'rk help' for the list",
                "line 10: the quote \" opened at column 6 is not closed",
                "line 11: steps are single rk commands; only '|| continue' may follow one",
                "line 1: the header needs 'title: ...'",
                "line 9: '${snapshot}' is not a declared parameter (declared: tenant)");
        assertThat(e.getMessage()).startsWith("runbook 'bad' is not valid: line 2: unknown header 'colour'");
        assertThat(e.code().exitCode()).isEqualTo(2);
    }

    @Test
    void needsTheSeparatorAndSteps() {
        assertThatThrownBy(() -> RunbookParser.parse("x", "title: T\nrk snapshots\n", null))
                .hasMessageContaining("line 2: expected a header line");
        assertThatThrownBy(() -> RunbookParser.parse("x", "title: T\n---\n# nothing\n", null))
                .hasMessageContaining("the runbook has no steps");
        assertThatThrownBy(() -> RunbookParser.parse("Bad Name", "title: T\n---\nrk snapshots\n", null))
                .hasMessageContaining("the name 'Bad Name' is not a runbook name");
    }
}
