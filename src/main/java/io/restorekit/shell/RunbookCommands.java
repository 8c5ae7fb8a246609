package io.restorekit.shell;

import io.restorekit.catalog.Run;
import io.restorekit.common.BadInputException;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.runbook.Runbook;
import io.restorekit.runbook.RunbookListener;
import io.restorekit.runbook.RunbookRequest;
import io.restorekit.runbook.RunbookResult;
import io.restorekit.runbook.RunbookService;
import io.restorekit.runbook.RunbookStore;
import org.springframework.shell.command.CommandContext;
import org.springframework.shell.command.CommandRegistration.OptionArity;
import org.springframework.shell.command.annotation.Command;
import org.springframework.shell.command.annotation.Option;
import org.springframework.shell.command.annotation.OptionValues;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code runbook list | show | log | diff | save | run | sync}: versioned procedures, run step by step. */
@Command(command = "runbook", group = "Runbooks")
public class RunbookCommands {
    private final RunbookService service;
    private final ShellStepExecutor executor;
    private final Interaction interaction;

    public RunbookCommands(RunbookService service, ShellStepExecutor executor, Interaction interaction) {
        this.service = service;
        this.executor = executor;
        this.interaction = interaction;
    }

    @Command(command = "list", description = "List the runbooks: name, title, last change, last run")
    public String list(@Option(longNames = "json", description = "print one JSON document") boolean json) {
        List<RunbookService.Listed> listed = service.list();
        if (json) {
            return Json.render(new ListView(service.location(), listed.stream().map(l -> new ListedView(l.name(),
                    l.title(), l.lastChange(), l.lastRun() == null ? null : new RunView(l.lastRun()), l.problem()))
                    .toList()));
        }
        Table table = new Table("NAME", "TITLE", "LAST CHANGE", "COMMIT", "LAST RUN", "RESULT");
        for (RunbookService.Listed l : listed) {
            Run run = l.lastRun();
            table.row(l.name(), l.title() == null ? "(invalid: " + l.problem() + ")" : l.title(),
                    l.lastChange() == null ? "" : Times.local(l.lastChange().time()) + " " + l.lastChange().author(),
                    l.lastChange() == null ? "" : l.lastChange().shortCommit(),
                    run == null ? "never" : Times.local(run.started()),
                    run == null ? "" : run.status().name().toLowerCase());
        }
        return "runbooks in " + service.location() + "\n" + (table.isEmpty() ? "(none)" : table.render().stripTrailing());
    }

    @Command(command = "show", description = "Show a runbook, as of a revision")
    public String show(
            @Option(longNames = "name", required = true, label = "NAME", description = "the runbook")
            @OptionValues(provider = "runbookNames") String name,
            @Option(longNames = "rev", label = "REV", description = "commit id, tag or HEAD~N; default: current")
            String rev,
            @Option(longNames = "json", description = "print one JSON document") boolean json) {
        RunbookService.Shown shown = service.show(name, rev);
        if (json) {
            return Json.render(shown);
        }
        Runbook r = shown.runbook();
        StringBuilder out = new StringBuilder();
        out.append("runbook ").append(r.name()).append(" at commit ").append(shown.revision().commit(), 0, 10)
                .append(" (").append(Times.local(shown.revision().time())).append(")\n");
        out.append(r.title()).append('\n');
        if (!r.description().isEmpty()) {
            out.append(r.description()).append('\n');
        }
        out.append("role: ").append(r.role());
        if (r.targetTime() != null) {
            out.append(", target time: ").append(r.targetTime().toString().substring(2).toLowerCase());
        }
        out.append("\n\n");
        if (!r.params().isEmpty()) {
            Table params = new Table("PARAMETER", "DEFAULT", "DESCRIPTION");
            r.params().forEach(p -> params.row(p.name(), p.required() ? "(required)" : p.defaultValue(), p.description()));
            out.append(params.render().stripTrailing()).append("\n\n");
        }
        out.append("--- ").append(r.name()).append(".rk\n").append(shown.revision().text().stripTrailing());
        return out.toString();
    }

    @Command(command = "log", description = "The versions of a runbook, newest first")
    public String log(
            @Option(longNames = "name", required = true, label = "NAME", description = "the runbook")
            @OptionValues(provider = "runbookNames") String name,
            @Option(longNames = "json", description = "print one JSON document") boolean json) {
        List<RunbookStore.Change> changes = service.log(name);
        if (json) {
            return Json.render(changes);
        }
        Table table = new Table("COMMIT", "TIME", "AUTHOR", "MESSAGE");
        changes.forEach(c -> table.row(c.shortCommit(), Times.local(c.time()), c.author(), c.message()));
        return table.render().stripTrailing();
    }

    @Command(command = "diff", description = "What changed in a runbook between two revisions")
    public String diff(
            @Option(longNames = "name", required = true, label = "NAME", description = "the runbook")
            @OptionValues(provider = "runbookNames") String name,
            @Option(longNames = "rev1", required = true, label = "REV1", description = "the older revision") String rev1,
            @Option(longNames = "rev2", required = true, label = "REV2", description = "the newer revision") String rev2) {
        String diff = service.diff(name, rev1, rev2);
        return diff.isEmpty() ? "runbook '" + name + "' is the same at " + rev1 + " and " + rev2 : diff.stripTrailing();
    }

    @Command(command = "save", description = "Validate a runbook file and commit it as a new version")
    public String save(
            @Option(longNames = "name", required = true, label = "NAME", description = "the runbook (new or existing)")
            @OptionValues(provider = "runbookNames") String name,
            @Option(longNames = "file", required = true, label = "FILE", description = "the runbook text") String file,
            @Option(longNames = "message", shortNames = 'm', required = true, label = "MSG",
                    description = "what changed, for the history") String message,
            @Option(longNames = "json", description = "print one JSON document") boolean json) throws IOException {
        String text;
        try {
            text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BadInputException("file '" + file + "' not found; give the runbook text with --file PATH");
        }
        RunbookService.Saved saved = service.save(name, text, message);
        if (json) {
            return Json.render(saved.result());
        }
        RunbookStore.SaveResult r = saved.result();
        if (r.warning() != null) {
            System.err.println("rk: warning: " + r.warning());
        }
        return r.changed() ? "saved runbook '" + name + "' as commit " + r.commit().substring(0, 10)
                + (r.pushed() ? " (pushed)" : "") : "runbook '" + name + "' is unchanged (commit "
                + r.commit().substring(0, 10) + "); nothing saved";
    }

    @Command(command = "sync", description = "Fetch and push runbook changes with the remote repository")
    public String sync(
            @Option(longNames = "rebase", description = "when both sides changed, put the local commits on top")
            boolean rebase,
            @Option(longNames = "json", description = "print one JSON document") boolean json) {
        RunbookStore.SyncResult r = service.sync(rebase);
        if (json) {
            return Json.render(r);
        }
        return switch (r.action()) {
            case "local" -> "runbooks are in the local repository " + r.location() + "; nothing to sync";
            case "up to date" -> "runbooks are up to date with " + r.location() + " (commit " + shortId(r.after()) + ")";
            default -> "runbooks " + r.action() + " with " + r.location() + ": " + r.received() + " commit(s) received, "
                    + r.sent() + " sent; now at commit " + shortId(r.after());
        };
    }

    @Command(command = "run", description = "Run a runbook's steps in order, pinned to a revision")
    public String run(
            @Option(longNames = "name", required = true, label = "NAME", description = "the runbook")
            @OptionValues(provider = "runbookNames") String name,
            @Option(longNames = "rev", label = "REV", description = "run this revision; default: current") String rev,
            @Option(longNames = "param", arity = OptionArity.ZERO_OR_MORE, label = "K=V",
                    description = "a parameter value; repeat for more")
            @OptionValues(provider = "runbookParams") List<String> param,
            @Option(longNames = "dry-run", description = "print the expanded steps; run nothing") boolean dryRun,
            @Option(longNames = "yes", description = "answer yes to every confirm step") boolean yes,
            @Option(longNames = "json", description = "print one JSON document") boolean json,
            CommandContext context) throws Exception {
        Map<String, String> params = new LinkedHashMap<>();
        for (String p : Repeated.values(context, "param", param)) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new BadInputException("--param takes NAME=VALUE, got '" + p + "'");
            }
            params.put(p.substring(0, eq), p.substring(eq + 1));
        }
        RunbookRequest request = new RunbookRequest(name, rev, params, dryRun, yes, interaction::confirm);
        RunbookResult result;
        if (json || dryRun) {
            try (AutoCloseable quiet = executor.quietly()) {
                result = service.run(request, RunbookListener.NONE);
            }
        } else {
            result = service.run(request, new Live(interaction));
        }
        String rendered = json ? Json.render(result) : dryRun ? renderPlan(result) : renderSummary(result);
        if (result.succeeded()) {
            result.warnings().forEach(w -> System.err.println("rk: warning: " + w));
            return rendered;
        }
        interaction.out().println(rendered);
        interaction.out().flush();
        result.warnings().forEach(w -> System.err.println("rk: warning: " + w));
        throw new RkException(code(result.exitCode()), result.error());
    }

    private static ErrorCode code(int exitCode) {
        for (ErrorCode c : ErrorCode.values()) {
            if (c.exitCode() == exitCode) {
                return c;
            }
        }
        return ErrorCode.FAILED;
    }

    static String renderPlan(RunbookResult r) {
        StringBuilder out = new StringBuilder("runbook ").append(r.name()).append(" at commit ")
                .append(r.commit(), 0, 10).append(" (dry run: nothing is run)\n");
        r.params().forEach((k, v) -> out.append("  ").append(k).append(" = ").append(v).append('\n'));
        for (RunbookResult.StepResult s : r.steps()) {
            out.append(String.format("%3d  %s%n", s.number(), s.step()));
        }
        return out.toString().stripTrailing();
    }

    static String renderSummary(RunbookResult r) {
        Table table = new Table("STEP", "LINE", "RESULT", "EXIT", "TIME", "COMMAND");
        for (RunbookResult.StepResult s : r.steps()) {
            boolean ran = s.status() != RunbookResult.Status.NOT_RUN;
            table.row(s.number(), s.line(), s.status().label(), ran ? String.valueOf(s.exitCode()) : "",
                    ran ? new Table.Right(s.millis() + " ms") : "", s.step());
        }
        return table.render().stripTrailing() + "\nrunbook " + r.name() + " at commit " + r.commit().substring(0, 10)
                + (r.succeeded() ? ": succeeded" : ": FAILED (exit " + r.exitCode() + ")") + " in "
                + r.duration().toMillis() + " ms; run " + r.runId()
                + (r.evidenceCommit() == null ? "" : "; evidence " + r.evidencePath() + " in commit "
                + r.evidenceCommit().substring(0, 10) + (r.evidencePushed() ? " (pushed)" : ""));
    }

    private static String shortId(String commit) {
        return commit == null ? "(none)" : commit.substring(0, Math.min(10, commit.length()));
    }

    /** Shows each step as it starts and how it ended. */
    private record Live(Interaction interaction) implements RunbookListener {
        @Override
        public void stepStarted(int number, int total, String step) {
            interaction.out().println("[" + number + "/" + total + "] " + step);
            interaction.out().flush();
        }

        @Override
        public void stepEnded(RunbookResult.StepResult result) {
            String line = "      " + result.status().label() + (result.kind() == Runbook.Kind.RK
                    ? " (exit " + result.exitCode() + ", " + result.millis() + " ms)" : "")
                    + (result.message() == null ? "" : ": " + result.message());
            if (result.kind() == Runbook.Kind.ECHO) {
                line = "      " + result.output();
            }
            interaction.out().println(line);
            interaction.out().flush();
        }
    }

    record ListView(String location, List<ListedView> runbooks) {
    }

    record ListedView(String name, String title, RunbookStore.Change lastChange, RunView lastRun, String problem) {
    }

    record RunView(long id, String commit, String started, String status) {
        RunView(Run run) {
            this(run.id(), run.actor() == null ? null : run.actor().runbookCommit(), String.valueOf(run.started()),
                    run.status().name());
        }
    }
}
