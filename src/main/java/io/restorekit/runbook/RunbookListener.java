package io.restorekit.runbook;

/** Follows a runbook run step by step (the shell shows each step and its result as it happens). */
public interface RunbookListener {
    RunbookListener NONE = new RunbookListener() {
    };

    default void stepStarted(int number, int total, String step) {
    }

    default void stepEnded(RunbookResult.StepResult result) {
    }
}
