package io.restorekit.shell;

import org.springframework.shell.command.CommandExceptionResolver;
import org.springframework.shell.command.CommandHandlingResult;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Reports a failed command as one {@code rk: <message>} line on stderr and gives its exit code to
 * the shell (which ends a one-command run with it, and carries on in the interactive shell).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RkExceptionResolver implements CommandExceptionResolver {
    @Override
    public CommandHandlingResult resolve(Exception e) {
        int code = Launcher.report(e, System.err);
        return CommandHandlingResult.of("", code);
    }
}
