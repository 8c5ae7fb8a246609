package io.restorekit.runbook;

import java.util.List;

/** Runs one {@code rk} command inside this process, as the shell would, and reports how it ended. */
@FunctionalInterface
public interface StepExecutor {

    /**
     * @param words the command line after {@code rk}, already split and with parameters substituted
     * @return never null; failures are an exit code and a message, never an exception
     */
    Outcome execute(List<String> words);

    /**
     * @param exitCode the exit code the command would end a one-command run with (DESIGN.md §3)
     * @param output   what it printed on stdout, or its result
     * @param message  the error message when it failed, or null
     */
    record Outcome(int exitCode, String output, String message) {
    }
}
