package io.restorekit.shell;

import io.restorekit.common.BadInputException;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.repository.RepositoryLockedException;
import org.junit.jupiter.api.Test;
import org.springframework.shell.CommandNotFound;
import org.springframework.shell.ExitRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FailureTest {
    @Test
    void rkExceptionsKeepTheirCodeAndMessageWhereverTheyAreInTheChain() {
        assertThat(Failure.of(new IllegalStateException("Failed to execute ApplicationRunner",
                new RepositoryLockedException("repository '/b' is locked by backup on host 'srv1'"))))
                .isEqualTo(new Failure(4, "repository '/b' is locked by backup on host 'srv1'"));
        assertThat(Failure.of(new BadInputException("unknown source 'x'"))).isEqualTo(new Failure(2, "unknown source 'x'"));
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(Failure.of(new RkException(code, "m")).exitCode()).isEqualTo(code.exitCode());
        }
    }

    @Test
    void unknownCommandIsBadInput() {
        assertThat(Failure.of(new CommandNotFound(List.of("snapshot", "--json"))))
                .isEqualTo(new Failure(2, "unknown command 'snapshot'; run 'rk help' for the list of commands"));
    }

    @Test
    void anythingElseIsAFailureWithItsMessage() {
        assertThat(Failure.of(new UncheckedIOException(new IOException("disk full"))))
                .isEqualTo(new Failure(1, "IOException: disk full"));
        assertThat(Failure.of(new NullPointerException())).isEqualTo(new Failure(1, "java.lang.NullPointerException"));
        assertThat(Failure.of(new ExitRequest(3))).isEqualTo(new Failure(3, null));
    }

    @Test
    void reportPrintsOneLine() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int code = Launcher.report(new RkException(ErrorCode.WRONG_PASSWORD, "wrong password for '/b'"),
                new PrintStream(buffer, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(5);
        assertThat(buffer.toString(StandardCharsets.UTF_8)).isEqualTo("rk: wrong password for '/b'\n");
    }
}
