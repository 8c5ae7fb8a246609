package io.restorekit.status;

import io.restorekit.catalog.Run;
import io.restorekit.notify.AlertOutcome;

import java.util.List;

/**
 * An operation's result with what was recorded about it.
 *
 * @param runs     the runs as recorded (ended), one per source or destination
 * @param warnings what could not be recorded or announced (the operation itself was not affected)
 */
public record Recorded<T>(T result, List<Run> runs, AlertOutcome alerts, List<String> warnings) {
    public Recorded {
        runs = List.copyOf(runs);
        warnings = List.copyOf(warnings);
    }
}
