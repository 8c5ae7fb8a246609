package io.restorekit.runbook;

import io.restorekit.common.BadInputException;

import java.util.List;

/** A runbook does not parse or does not validate (exit 2); every problem names its line and the reason. */
public class InvalidRunbookException extends BadInputException {
    private final List<String> problems;

    public InvalidRunbookException(String name, List<String> problems) {
        super("runbook '" + name + "' is not valid: " + String.join("; ", problems)
                + "; nothing was saved or run. Fix the lines named and try again");
        this.problems = List.copyOf(problems);
    }

    /** Each problem as {@code line N: reason}. */
    public List<String> problems() {
        return problems;
    }
}
