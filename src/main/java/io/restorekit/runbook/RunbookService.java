package io.restorekit.runbook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.restorekit.catalog.Actor;
import io.restorekit.catalog.AuditEntry;
import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunQuery;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.BadInputException;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Runbooks for the shell and the drill: list, show, history, diff, save (validated), sync, and
 * run. A run is pinned to the commit it was read from; while it runs every run and audit entry
 * recorded carries the runbook and that commit; the run itself is recorded as a
 * {@link RunKind#RUNBOOK} run with per-step results, and its transcript is committed to the store.
 */
public final class RunbookService {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy/MM").withZone(ZoneOffset.UTC);

    private final Supplier<RunbookStore> store;
    private final Catalog catalog;
    private final StepExecutor executor;
    private final Clock clock;
    private final Supplier<Set<String>> commands;

    /**
     * @param store    opened on first use (it may clone)
     * @param commands the commands a saved runbook may use; null accepts any
     */
    public RunbookService(Supplier<RunbookStore> store, Catalog catalog, StepExecutor executor, Clock clock,
                          Supplier<Set<String>> commands) {
        this.store = store;
        this.catalog = catalog;
        this.executor = executor;
        this.clock = clock;
        this.commands = commands == null ? () -> null : commands;
    }

    /** A runbook in a listing, with its last run (null when never run). */
    public record Listed(String name, String title, RunbookStore.Change lastChange, Run lastRun, String problem) {
    }

    /** A runbook as stored at a revision, parsed. */
    public record Shown(RunbookStore.Revision revision, Runbook runbook) {
    }

    /** What {@link #save} did, and the runbook it stored. */
    public record Saved(String name, RunbookStore.SaveResult result, Runbook runbook) {
    }

    public String location() {
        return store.get().location();
    }

    public List<Listed> list() {
        List<Run> runs = catalog.runs(RunQuery.of(RunKind.RUNBOOK));
        List<Listed> listed = new ArrayList<>();
        for (RunbookStore.Entry e : store.get().list()) {
            Run last = runs.stream().filter(r -> r.actor() != null && e.name().equals(r.actor().runbook()))
                    .findFirst().orElse(null);
            String title = null;
            String problem = null;
            try {
                title = RunbookParser.parse(e.name(), store.get().read(e.name(), null).text(), null).title();
            } catch (InvalidRunbookException invalid) {
                problem = String.join("; ", invalid.problems());
            }
            listed.add(new Listed(e.name(), title, e.lastChange(), last, problem));
        }
        return listed;
    }

    /** The names of the runbooks at the current revision (for completion). */
    public List<String> names() {
        return store.get().list().stream().map(RunbookStore.Entry::name).toList();
    }

    public Shown show(String name, String rev) {
        RunbookStore.Revision revision = store.get().read(name, rev);
        return new Shown(revision, RunbookParser.parse(name, revision.text(), null));
    }

    public List<RunbookStore.Change> log(String name) {
        return store.get().log(name);
    }

    public String diff(String name, String rev1, String rev2) {
        return store.get().diff(name, rev1, rev2);
    }

    /** Validates {@code text} (refused with every problem's line and reason), then commits it as the operator. */
    public Saved save(String name, String text, String message) {
        if (message == null || message.isBlank()) {
            throw new BadInputException("saving runbook '" + name + "' needs a message saying what changed (-m MESSAGE)");
        }
        Runbook runbook = RunbookParser.parse(name, text, commands.get());
        return new Saved(name, store.get().save(name, text, message.strip(), operator()), runbook);
    }

    public RunbookStore.SyncResult sync(boolean rebase) {
        return store.get().sync(rebase);
    }

    /**
     * Runs (or with {@code dryRun} only expands) a runbook. The drill calls this too, so the
     * documented procedure is what gets tested.
     *
     * @throws BadInputException when a required parameter is missing or an unknown one is given (nothing runs)
     */
    public RunbookResult run(RunbookRequest request, RunbookListener listener) {
        RunbookStore.Revision revision = store.get().read(request.name(), request.rev());
        Runbook runbook = RunbookParser.parse(request.name(), revision.text(), null);
        Map<String, String> values = values(runbook, request.params());
        List<Runbook.Step> steps = runbook.steps().stream().map(s -> s.expand(values)).toList();
        if (request.dryRun()) {
            List<RunbookResult.StepResult> planned = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) {
                Runbook.Step s = steps.get(i);
                planned.add(new RunbookResult.StepResult(i + 1, s.line(), s.kind(), Redaction.redact(s.display()),
                        RunbookResult.Status.NOT_RUN, 0, null, null, 0));
            }
            return new RunbookResult(runbook.name(), runbook.title(), revision.commit(), revision.blob(), values, true,
                    null, null, runbook.targetTime(), planned, 0, null, 0, null, null, false, List.of());
        }

        Instant started = clock.instant();
        List<RunbookResult.StepResult> results = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        int exitCode = 0;
        String error = null;
        Run run;
        Actor actor;
        try (Actor.RunbookScope scope = Actor.runningRunbook(runbook.name(), revision.commit())) {
            actor = Actor.current();
            run = catalog.record(Run.begin(RunKind.RUNBOOK, null, null, started));
            boolean stopped = false;
            for (int i = 0; i < steps.size(); i++) {
                Runbook.Step step = steps.get(i);
                if (stopped) {
                    results.add(new RunbookResult.StepResult(i + 1, step.line(), step.kind(),
                            Redaction.redact(step.display()),
                            RunbookResult.Status.NOT_RUN, 0, null, null, 0));
                    continue;
                }
                listener.stepStarted(i + 1, steps.size(), Redaction.redact(step.display()));
                RunbookResult.StepResult result = execute(i + 1, step, request);
                results.add(result);
                listener.stepEnded(result);
                if (step.kind() == Runbook.Kind.RK) {
                    catalog.audit(new AuditEntry(0, clock.instant(), Actor.current(), result.step(),
                            result.exitCode() == 0 ? "ok" : codeName(result.exitCode()), result.exitCode(),
                            result.message()));
                }
                if (result.status() == RunbookResult.Status.FAILED || result.status() == RunbookResult.Status.DECLINED) {
                    stopped = true;
                    exitCode = result.exitCode();
                    error = "runbook '" + runbook.name() + "' stopped at step " + result.number() + " (line "
                            + result.line() + ", " + result.step() + "): " + result.message();
                }
            }
        }
        Instant ended = clock.instant();
        if (exitCode == 0 && runbook.targetTime() != null
                && java.time.Duration.between(started, ended).compareTo(runbook.targetTime()) > 0) {
            warnings.add("took longer than the target time " + runbook.targetTime().toString().substring(2).toLowerCase());
        }
        RunbookResult result = new RunbookResult(runbook.name(), runbook.title(), revision.commit(), revision.blob(),
                values, false, started, ended, runbook.targetTime(), results, exitCode, error, run.id(), null, null,
                false, warnings);

        String path = "evidence/" + MONTH.format(started) + "/" + STAMP.format(started) + "-" + runbook.name()
                + "-run" + run.id() + ".txt";
        String evidenceCommit = null;
        boolean pushed = false;
        try {
            RunbookStore.SaveResult saved = store.get().commitEvidence(path, Transcript.render(result, actor.user(),
                    actor.host()), "Evidence: " + runbook.name() + " run " + run.id() + " at "
                    + revision.commit().substring(0, 10) + " " + (exitCode == 0 ? "succeeded" : "failed (exit "
                    + exitCode + ")"), operator());
            evidenceCommit = saved.commit();
            path = saved.path();
            pushed = saved.pushed();
            if (saved.warning() != null) {
                warnings.add("evidence " + saved.warning());
            }
        } catch (RuntimeException e) {
            warnings.add("the transcript could not be committed to the runbook repository: " + e.getMessage());
        }
        result = new RunbookResult(result.name(), result.title(), result.commit(), result.blob(), values, false,
                started, ended, result.targetTime(), results, exitCode, error, run.id(), path, evidenceCommit, pushed,
                warnings);

        RunStatus status = exitCode != 0 ? RunStatus.FAILED
                : results.stream().anyMatch(r -> r.status() == RunbookResult.Status.FAILED_CONTINUED)
                || !warnings.isEmpty() ? RunStatus.WARNING : RunStatus.SUCCEEDED;
        catalog.update(run.ended(ended, status, error).withDetails(details(result)));
        catalog.audit(new AuditEntry(0, ended, actor, commandLine(request, revision.commit(), values), exitCode == 0
                ? "ok" : codeName(exitCode), exitCode, error));
        return result;
    }

    private RunbookResult.StepResult execute(int number, Runbook.Step step, RunbookRequest request) {
        long t0 = System.nanoTime();
        switch (step.kind()) {
            case ECHO -> {
                return new RunbookResult.StepResult(number, step.line(), step.kind(), Redaction.redact(step.display()),
                        RunbookResult.Status.DONE, 0, step.text(), null, 0);
            }
            case CONFIRM -> {
                if (request.yes()) {
                    return new RunbookResult.StepResult(number, step.line(), step.kind(), Redaction.redact(step.display()),
                            RunbookResult.Status.DONE, 0, "yes (--yes)", null, 0);
                }
                Optional<Boolean> answer = request.asker().ask(step.text());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (answer.isEmpty()) {
                    return new RunbookResult.StepResult(number, step.line(), step.kind(), Redaction.redact(step.display()),
                            RunbookResult.Status.FAILED, ErrorCode.FAILED.exitCode(), null,
                            "it asks \"" + step.text() + "\" and nobody can answer here; run with --yes to answer yes",
                            ms);
                }
                return answer.get()
                        ? new RunbookResult.StepResult(number, step.line(), step.kind(), Redaction.redact(step.display()),
                        RunbookResult.Status.DONE, 0, "yes", null, ms)
                        : new RunbookResult.StepResult(number, step.line(), step.kind(), Redaction.redact(step.display()),
                        RunbookResult.Status.DECLINED, ErrorCode.FAILED.exitCode(), "no",
                        "the operator answered no to \"" + step.text() + "\"", ms);
            }
            default -> {
                StepExecutor.Outcome outcome;
                try {
                    outcome = executor.execute(step.words());
                } catch (RkException e) {
                    outcome = new StepExecutor.Outcome(e.code().exitCode(), null, e.getMessage());
                } catch (RuntimeException e) {
                    outcome = new StepExecutor.Outcome(ErrorCode.FAILED.exitCode(), null, String.valueOf(e.getMessage()));
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                RunbookResult.Status status = outcome.exitCode() == 0 ? RunbookResult.Status.DONE
                        : step.continueOnFailure() ? RunbookResult.Status.FAILED_CONTINUED : RunbookResult.Status.FAILED;
                return new RunbookResult.StepResult(number, step.line(), step.kind(), Redaction.redact(step.display()),
                        status, outcome.exitCode(), Redaction.redact(outcome.output()), outcome.exitCode() == 0 ? null
                        : outcome.message() == null ? "exit code " + outcome.exitCode()
                        : Redaction.redact(outcome.message()), ms);
            }
        }
    }

    /** The parameters' values: given ones, then defaults; missing required or unknown ones are refused together. */
    static Map<String, String> values(Runbook runbook, Map<String, String> given) {
        List<String> unknown = given.keySet().stream().filter(k -> runbook.param(k).isEmpty()).sorted().toList();
        List<String> missing = runbook.params().stream().filter(p -> p.required() && !given.containsKey(p.name()))
                .map(p -> p.name() + (p.description().isEmpty() ? "" : " (" + p.description() + ")")).toList();
        if (!unknown.isEmpty() || !missing.isEmpty()) {
            List<String> parts = new ArrayList<>();
            if (!missing.isEmpty()) {
                parts.add("missing required parameter" + (missing.size() == 1 ? "" : "s") + ": "
                        + String.join(", ", missing));
            }
            if (!unknown.isEmpty()) {
                parts.add("unknown parameter" + (unknown.size() == 1 ? "" : "s") + ": " + String.join(", ", unknown));
            }
            throw new BadInputException("runbook '" + runbook.name() + "': " + String.join("; ", parts)
                    + "; it takes " + (runbook.params().isEmpty() ? "no parameters" : runbook.params().stream()
                    .map(p -> p.required() ? p.name() : p.name() + "=" + p.defaultValue())
                    .collect(Collectors.joining(", "))) + " (give them as --param NAME=VALUE)");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Runbook.Param p : runbook.params()) {
            values.put(p.name(), given.containsKey(p.name()) ? given.get(p.name()) : p.defaultValue());
        }
        return values;
    }

    private static String commandLine(RunbookRequest request, String commit, Map<String, String> values) {
        StringBuilder line = new StringBuilder("runbook run ").append(request.name()).append(" --rev ")
                .append(commit.substring(0, 10));
        new TreeMap<>(request.params()).forEach((k, v) -> line.append(" --param ").append(k).append('=')
                .append(Redaction.redact(k + "=" + v).substring(k.length() + 1)));
        if (request.yes()) {
            line.append(" --yes");
        }
        return line.toString();
    }

    private static String codeName(int exitCode) {
        for (ErrorCode c : ErrorCode.values()) {
            if (c.exitCode() == exitCode) {
                return c.name();
            }
        }
        return "EXIT_" + exitCode;
    }

    private static String details(RunbookResult r) {
        ObjectNode d = JSON.createObjectNode();
        d.put("runbook", r.name());
        d.put("commit", r.commit());
        d.put("blob", r.blob());
        ObjectNode params = d.putObject("params");
        r.params().forEach((k, v) -> params.put(k, Redaction.redact(k + "=" + v).substring(k.length() + 1)));
        d.put("exitCode", r.exitCode());
        ArrayNode steps = d.putArray("steps");
        for (RunbookResult.StepResult s : r.steps()) {
            ObjectNode n = steps.addObject();
            n.put("number", s.number());
            n.put("line", s.line());
            n.put("step", s.step());
            n.put("status", s.status().name());
            n.put("exitCode", s.exitCode());
            n.put("millis", s.millis());
            if (s.message() != null) {
                n.put("message", s.message());
            }
        }
        if (r.evidencePath() != null) {
            d.put("evidence", r.evidencePath());
        }
        if (r.evidenceCommit() != null) {
            d.put("evidenceCommit", r.evidenceCommit());
        }
        try {
            return JSON.writeValueAsString(d);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RunbookStore.Author operator() {
        Actor a = Actor.current();
        return new RunbookStore.Author(a.user(), a.user() + "@" + a.host());
    }
}
