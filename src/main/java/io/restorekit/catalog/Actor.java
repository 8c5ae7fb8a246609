package io.restorekit.catalog;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Who ran something: the operating-system user and host, and the runbook (name and commit) when a
 * runbook's step is running.
 *
 * @param runbook       null unless run from a runbook
 * @param runbookCommit null unless run from a runbook
 */
public record Actor(String user, String host, String runbook, String runbookCommit) {
    private static volatile String runbookName;
    private static volatile String runbookRevision;

    /** The current process's user and host, with the runbook that is running, if any. */
    public static Actor current() {
        return new Actor(System.getProperty("user.name", "unknown"), HostName.VALUE, runbookName, runbookRevision);
    }

    /**
     * Marks the steps run until {@link RunbookScope#close()} as coming from runbook {@code name} at
     * {@code commit}; every run and audit entry recorded meanwhile carries them.
     */
    public static RunbookScope runningRunbook(String name, String commit) {
        String previousName = runbookName;
        String previousCommit = runbookRevision;
        runbookName = name;
        runbookRevision = commit;
        return () -> {
            runbookName = previousName;
            runbookRevision = previousCommit;
        };
    }

    /** Ends a {@link #runningRunbook} marking. */
    public interface RunbookScope extends AutoCloseable {
        @Override
        void close();
    }

    private static final class HostName {
        static final String VALUE = resolve();

        private static String resolve() {
            String env = System.getenv("HOSTNAME");
            if (env != null && !env.isBlank()) {
                return env;
            }
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                return "unknown";
            }
        }
    }
}
