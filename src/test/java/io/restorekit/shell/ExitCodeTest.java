package io.restorekit.shell;

import io.restorekit.shell.ChildRk.Run;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the real entry point in a child JVM, as shell/rk does, and checks exit codes and stderr. */
class ExitCodeTest {
    @TempDir
    static Path dir;

    static Run rk(String... args) throws Exception {
        return ChildRk.run(dir, java.util.Map.of(), 60, args);
    }

    @ParameterizedTest(name = "rk {0} -> exit {1}")
    @CsvSource(delimiter = '|', value = {
            "version                        | 0 | ",
            "no-such-command                | 2 | rk: unknown command 'no-such-command'; run 'rk help' for the list of commands",
            "version --bogus                | 2 | rk: Unrecognised option '--bogus'",
            "test-fail count --n many       | 2 | rk: invalid value 'many' (expected int)",
            "test-fail rk --code LOCKED     | 4 | rk: failed on purpose with LOCKED",
            "test-fail rk --code WRONG_PASSWORD | 5 | rk: failed on purpose with WRONG_PASSWORD",
            "test-fail npe                  | 1 | rk: something broke inside",
            "snapshots                      | 2 | rk: configuration file '"})
    void exitCodes(String args, int code, String err) throws Exception {
        Run run = rk(args.split(" "));
        assertThat(run.code()).as(run.err()).isEqualTo(code);
        if (err == null) {
            assertThat(run.err()).isEmpty();
        } else {
            assertThat(run.err()).startsWith(err).doesNotContain("\tat ");
            assertThat(run.err().strip().lines()).hasSize(1);
            assertThat(run.out()).isEmpty();
        }
    }

    @Test
    @DisplayName("--debug adds the stack trace; a script stops at the first failure with its code")
    void debugAndScripts() throws Exception {
        Run debug = rk("--debug", "test-fail", "npe");
        assertThat(debug.code()).isEqualTo(1);
        assertThat(debug.err()).startsWith("rk: something broke inside\n").contains("\tat io.restorekit.shell.FailCommand");

        Files.writeString(dir.resolve("script.rk"), "version\ntest-fail rk --code UNREACHABLE\nversion\n");
        Run script = rk("@" + dir.resolve("script.rk"));
        assertThat(script.code()).isEqualTo(6);
        assertThat(script.out().lines().filter(l -> l.startsWith("restorekit")).count()).isEqualTo(1);
    }
}
