package io.restorekit.runbook;

import java.util.Map;
import java.util.Optional;

/**
 * What to run.
 *
 * @param rev    the revision to run (commit id, tag, {@code HEAD~1}); null: the current one
 * @param params values for the runbook's parameters; defaults fill the rest
 * @param dryRun only validate and expand the steps
 * @param yes    answer yes to every {@code confirm} step
 * @param asker  asks the operator a yes/no question; empty when nobody can be asked
 */
public record RunbookRequest(String name, String rev, Map<String, String> params, boolean dryRun, boolean yes,
                             Asker asker) {

    public RunbookRequest {
        params = Map.copyOf(params);
        asker = asker == null ? question -> Optional.empty() : asker;
    }

    /** Asks a yes/no question; empty when nobody can be asked. */
    @FunctionalInterface
    public interface Asker {
        Optional<Boolean> ask(String question);
    }
}
