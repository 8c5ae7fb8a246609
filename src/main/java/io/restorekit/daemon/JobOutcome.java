package io.restorekit.daemon;

import io.restorekit.catalog.RunStatus;

/** How one run of a job ended, in one line for the log. */
public record JobOutcome(RunStatus status, String summary) {
    public static JobOutcome succeeded(String summary) {
        return new JobOutcome(RunStatus.SUCCEEDED, summary);
    }
}
