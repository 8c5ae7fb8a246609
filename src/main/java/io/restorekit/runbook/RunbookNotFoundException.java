package io.restorekit.runbook;

import io.restorekit.common.BadInputException;

/** No runbook by that name (at that revision), or no such revision (exit 2). */
public class RunbookNotFoundException extends BadInputException {
    public RunbookNotFoundException(String message) {
        super(message);
    }
}
