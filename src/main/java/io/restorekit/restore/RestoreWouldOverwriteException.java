package io.restorekit.restore;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;

/**
 * A restore would replace existing files and permission was not given (exit 1). The shell may
 * ask for confirmation and retry with overwrite allowed.
 */
public class RestoreWouldOverwriteException extends RkException {
    private final transient RestorePlan plan;

    public RestoreWouldOverwriteException(RestorePlan plan) {
        super(ErrorCode.FAILED, "restore into '" + plan.target() + "' would overwrite " + plan.filesToOverwrite()
                + (plan.filesToOverwrite() == 1 ? " file" : " files") + " that differ from snapshot "
                + plan.snapshot().shortId() + "; nothing was written. See them with --dry-run, "
                + "then pass --yes to overwrite");
        this.plan = plan;
    }

    public RestorePlan plan() {
        return plan;
    }
}
