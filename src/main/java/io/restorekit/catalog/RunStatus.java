package io.restorekit.catalog;

/** How a recorded run ended; {@link #RUNNING} until it does (a run left RUNNING was killed). */
public enum RunStatus {
    RUNNING, SUCCEEDED, WARNING, FAILED
}
