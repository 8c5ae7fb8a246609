package io.restorekit.runbook;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * How a runbook run went (or, for a dry run, what it would do).
 *
 * @param commit         the commit the runbook was read from: the run is pinned to it
 * @param blob           the id of the runbook file's content at that commit
 * @param exitCode       0, or the exit code of the step that stopped the run
 * @param error          why it stopped, or null
 * @param runId          the catalog's id of this run; 0 for a dry run
 * @param evidencePath   the transcript's path in the runbook repository, or null (dry run)
 * @param evidenceCommit the commit holding the transcript, or null when it could not be committed
 * @param warnings       evidence not committed or not pushed, target time exceeded
 */
public record RunbookResult(String name, String title, String commit, String blob, Map<String, String> params,
                            boolean dryRun, Instant started, Instant ended, Duration targetTime,
                            List<StepResult> steps, int exitCode, String error, long runId, String evidencePath,
                            String evidenceCommit, boolean evidencePushed, List<String> warnings) {

    public RunbookResult {
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
        steps = List.copyOf(steps);
        warnings = List.copyOf(warnings);
    }

    public boolean succeeded() {
        return exitCode == 0;
    }

    public Duration duration() {
        return started == null || ended == null ? null : Duration.between(started, ended);
    }

    /** How a step ended. */
    public enum Status {
        DONE, FAILED, FAILED_CONTINUED, DECLINED, NOT_RUN;

        /** {@code done}, {@code failed}, {@code failed, continued}, {@code declined}, {@code not run}. */
        public String label() {
            return this == FAILED_CONTINUED ? "failed, continued" : name().toLowerCase().replace('_', ' ');
        }
    }

    /**
     * One step.
     *
     * @param number  1-based position among the steps
     * @param line    its line in the runbook file
     * @param step    the step with parameters substituted, as one line
     * @param output  what the step printed, or null
     * @param message why it failed, or null
     */
    public record StepResult(int number, int line, Runbook.Kind kind, String step, Status status, int exitCode,
                             String output, String message, long millis) {
    }
}
