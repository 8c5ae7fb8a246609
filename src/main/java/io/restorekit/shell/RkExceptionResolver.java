package io.restorekit.shell;

import io.restorekit.common.ErrorCode;
import io.restorekit.config.RepositorySession;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.shell.command.CommandExceptionResolver;
import org.springframework.shell.command.CommandHandlingResult;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Reports a failed command as one {@code rk: <message>} line on stderr and gives its exit code to
 * the shell (which ends a one-command run with it, and carries on in the interactive shell).
 *
 * <p>After a failure other than bad input, the interactive shell's open repository is dropped, so
 * the next command starts from what is stored rather than from the state of the failed one (for
 * example blobs of a pack whose write failed).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RkExceptionResolver implements CommandExceptionResolver {
    private final ObjectProvider<RepositorySession> session;

    public RkExceptionResolver(ObjectProvider<RepositorySession> session) {
        this.session = session;
    }

    @Override
    public CommandHandlingResult resolve(Exception e) {
        int code = Launcher.report(e, System.err);
        if (code != ErrorCode.BAD_INPUT.exitCode() && code != ErrorCode.PROBLEMS_FOUND.exitCode()) {
            session.ifAvailable(RepositorySession::reset);
        }
        return CommandHandlingResult.of("", code);
    }
}
