package io.restorekit.runbook;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** The text of a run's evidence file: which version of which procedure ran, when, and how each step went. */
final class Transcript {
    private static final int MAX_OUTPUT = 64 * 1024;
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Transcript() {
    }

    static String render(RunbookResult r, String user, String host) {
        StringBuilder t = new StringBuilder();
        t.append("runbook:   ").append(r.name()).append(" — ").append(r.title()).append('\n');
        t.append("commit:    ").append(r.commit()).append('\n');
        t.append("blob:      ").append(r.blob()).append('\n');
        t.append("run:       ").append(r.runId()).append('\n');
        t.append("by:        ").append(user).append('@').append(host).append('\n');
        t.append("started:   ").append(UTC.format(r.started())).append('\n');
        t.append("ended:     ").append(UTC.format(r.ended())).append('\n');
        t.append("duration:  ").append(r.duration().toMillis()).append(" ms");
        if (r.targetTime() != null) {
            t.append(" (target ").append(r.targetTime().toString().substring(2).toLowerCase()).append(')');
        }
        t.append('\n');
        t.append("outcome:   ").append(r.succeeded() ? "succeeded" : "FAILED with exit code " + r.exitCode())
                .append('\n');
        if (r.error() != null) {
            t.append("error:     ").append(r.error()).append('\n');
        }
        t.append("params:\n");
        for (Map.Entry<String, String> p : new java.util.TreeMap<>(r.params()).entrySet()) {
            t.append("  ").append(p.getKey()).append(" = ")
                    .append(Redaction.redact(p.getKey() + "=" + p.getValue()).substring(p.getKey().length() + 1))
                    .append('\n');
        }
        t.append('\n');
        for (RunbookResult.StepResult s : r.steps()) {
            t.append("[").append(s.number()).append("] line ").append(s.line()).append(": ").append(s.step())
                    .append('\n');
            t.append("    ").append(s.status().label());
            if (s.status() != RunbookResult.Status.NOT_RUN) {
                t.append(", exit ").append(s.exitCode()).append(", ").append(s.millis()).append(" ms");
            }
            t.append('\n');
            if (s.message() != null) {
                t.append("    error: ").append(s.message()).append('\n');
            }
            if (s.output() != null && !s.output().isBlank() && s.kind() == Runbook.Kind.RK) {
                String out = s.output().length() > MAX_OUTPUT
                        ? s.output().substring(0, MAX_OUTPUT) + "\n... (" + (s.output().length() - MAX_OUTPUT)
                        + " more characters)" : s.output();
                for (String line : out.stripTrailing().split("\n", -1)) {
                    t.append("    | ").append(line).append('\n');
                }
            }
        }
        return t.toString();
    }
}
