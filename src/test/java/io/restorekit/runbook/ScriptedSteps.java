package io.restorekit.runbook;

import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Steps that behave as scripted: each command (its first word) ends with the exit code given
 * for it (0 otherwise), and records a run in the catalog as a real command would, so a test
 * can see what the catalog learns while a runbook runs.
 */
final class ScriptedSteps implements StepExecutor {
    final List<List<String>> executed = new ArrayList<>();
    final Map<String, Integer> exitCodes = new HashMap<>();
    private final Catalog catalog;

    ScriptedSteps(Catalog catalog) {
        this.catalog = catalog;
    }

    ScriptedSteps failing(String command, int exitCode) {
        exitCodes.put(command, exitCode);
        return this;
    }

    @Override
    public Outcome execute(List<String> words) {
        executed.add(words);
        Run run = catalog.record(Run.begin(RunKind.VERIFY, null, "primary", Instant.now()));
        int code = exitCodes.getOrDefault(words.get(0), 0);
        catalog.update(run.ended(Instant.now(), code == 0 ? RunStatus.SUCCEEDED : RunStatus.FAILED, null));
        return code == 0 ? new Outcome(0, "ran " + String.join(" ", words) + "\n", null)
                : new Outcome(code, "", words.get(0) + " failed on purpose with exit " + code);
    }
}
