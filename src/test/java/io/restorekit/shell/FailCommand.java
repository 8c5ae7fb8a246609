package io.restorekit.shell;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;

/** A command that fails on request, to check how failures reach the operator and the exit code. */
@Command(command = "test-fail", hidden = true)
public class FailCommand {
    @Command(command = "rk")
    public String rk(@Option(longNames = "code", required = true) ErrorCode code) {
        throw new RkException(code, "failed on purpose with " + code);
    }

    @Command(command = "npe")
    public String npe() {
        throw new IllegalStateException("something broke inside");
    }

    @Command(command = "count")
    public String count(@Option(longNames = "n", required = true) int n) {
        return "n=" + n;
    }
}
