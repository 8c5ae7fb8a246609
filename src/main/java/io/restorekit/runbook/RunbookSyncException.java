package io.restorekit.runbook;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;

/**
 * The runbook repository could not be brought in sync: unreachable or interrupted (exit 6), or
 * histories that diverged, or local edits in the way (exit 1). Local commits and edits are kept.
 */
public class RunbookSyncException extends RkException {
    public RunbookSyncException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
