package io.restorekit.shell;

import io.restorekit.catalog.Actor;
import io.restorekit.catalog.AuditEntry;
import io.restorekit.catalog.Catalog;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.RkConfig;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * What every command passes through, whatever it is: the roles check before it runs, and its
 * audit entry (command line with secrets redacted, actor, outcome, exit code) after it ends.
 */
@Component
public class CommandGate {
    private final RepositorySession session;
    private final Catalog catalog;
    private final Clock clock;

    @Autowired
    public CommandGate(RepositorySession session, Catalog catalog) {
        this(session, catalog, Clock.systemUTC());
    }

    CommandGate(RepositorySession session, Catalog catalog, Clock clock) {
        this.session = session;
        this.catalog = catalog;
        this.clock = clock;
    }

    /** Throws {@link RkException} (NOT_PERMITTED, exit 7) when the current user's role does not allow {@code words}. */
    public void check(List<String> words) {
        CommandPolicy.Role needed = CommandPolicy.required(words);
        if (needed == CommandPolicy.Role.NONE) {
            return;
        }
        RkConfig config;
        try {
            config = session.config();
        } catch (RuntimeException e) {
            return; // the command itself reports the configuration problem (exit 2)
        }
        if (!config.roles().configured()) {
            return;
        }
        Actor actor = Actor.current();
        Set<String> groups = CommandPolicy.groupsOf(actor.user(), Path.of("/etc/group"), Path.of("/etc/passwd"));
        CommandPolicy.Role has = CommandPolicy.roleOf(config.roles(), actor.user(), groups);
        if (has.ordinal() < needed.ordinal()) {
            throw new RkException(ErrorCode.NOT_PERMITTED, "user '" + actor.user() + "' ("
                    + (has == CommandPolicy.Role.NONE ? "no role" : "role " + has.name().toLowerCase()) + ") may not run '"
                    + String.join(" ", words.subList(0, Math.min(2, words.size()))) + "'"
                    + (needed == CommandPolicy.Role.MASTER ? " with these options; it needs the master role" : "")
                    + "; ask an administrator, or see 'roles:' in " + config.file());
        }
    }

    /** Records the audit entry of {@code words}; a failure to record is returned as a warning, never thrown. */
    public String audit(List<String> words, Failure failure) {
        String outcome = failure == null || failure.exitCode() == 0 ? "ok" : outcomeName(failure.exitCode());
        try {
            catalog.audit(new AuditEntry(0, clock.instant(), Actor.current(), CommandPolicy.redact(words), outcome,
                    failure == null ? 0 : failure.exitCode(), failure == null ? null : failure.message()));
            return null;
        } catch (RuntimeException e) {
            return "audit entry not recorded: " + e.getMessage();
        }
    }

    private static String outcomeName(int exitCode) {
        for (ErrorCode c : ErrorCode.values()) {
            if (c.exitCode() == exitCode) {
                return c.name();
            }
        }
        return "EXIT_" + exitCode;
    }
}
