package io.restorekit.runbook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restorekit.catalog.AuditEntry;
import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunQuery;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.BadInputException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The runbook service on a local Git store created from the project's runbooks/. */
class LocalRunbookStoreTest {
    static final String V1 = """
            title: Check the backups
            param snapshot = latest -- the snapshot to verify
            ---
            rk snapshots
            rk verify --snapshot ${snapshot}
            """;
    static final String V2 = """
            title: Check the backups, then restore one tenant
            param snapshot = latest -- the snapshot to verify
            param tenant -- the tenant
            ---
            rk snapshots
            rk verify --snapshot ${snapshot}
            rk restore --source db --tenant ${tenant} --dry-run
            """;

    @TempDir
    Path dir;
    InMemoryCatalog catalog = new InMemoryCatalog();
    ScriptedSteps steps = new ScriptedSteps(catalog);
    GitRunbookStore store;
    RunbookService service;

    @BeforeEach
    void setUp() {
        store = GitRunbookStore.open(new RunbookStoreSettings(dir.resolve("home/runbooks").toString(),
                dir.resolve("home"), Path.of("runbooks"), null, null, null, null));
        service = new RunbookService(() -> store, catalog, steps, Clock.systemUTC(),
                () -> RunbookParser.CONTRACT_COMMANDS);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    @DisplayName("the first use creates the store from the project's runbooks with one initial commit")
    void createdFromDefaults() {
        List<RunbookService.Listed> listed = service.list();
        assertThat(listed).extracting(RunbookService.Listed::name).containsExactly("cctv-recovery", "monthly-drill",
                "offline-export", "recover-file", "restore-module", "restore-tenant", "server-recovery");
        assertThat(listed).allSatisfy(l -> {
            assertThat(l.problem()).isNull();
            assertThat(l.lastRun()).isNull();
            assertThat(l.lastChange().message()).isEqualTo("Default runbooks");
        });
        assertThat(service.log("restore-tenant")).hasSize(1);
        assertThat(Files.exists(dir.resolve("home/runbooks/README.md"))).isTrue();
    }

    @Test
    @DisplayName("save two versions, run the old one by revision: both runs carry their commit, evidence is committed")
    void runsAnOldRevisionAndRecordsBoth() throws Exception {
        String c1 = service.save("check", V1, "First version").result().commit();
        String c2 = service.save("check", V2, "Restore a tenant too").result().commit();
        assertThat(service.log("check")).extracting(RunbookStore.Change::commit).containsExactly(c2, c1);
        assertThat(service.diff("check", c1, c2)).contains("+rk restore --source db --tenant ${tenant} --dry-run");

        RunbookResult old = service.run(new RunbookRequest("check", c1.substring(0, 8), Map.of("snapshot", "abc123"),
                false, false, null), RunbookListener.NONE);
        RunbookResult current = service.run(new RunbookRequest("check", null, Map.of("tenant", "42"), false, false,
                null), RunbookListener.NONE);

        assertThat(old.commit()).isEqualTo(c1);
        assertThat(current.commit()).isEqualTo(c2);
        assertThat(steps.executed).containsExactly(List.of("snapshots"), List.of("verify", "--snapshot", "abc123"),
                List.of("snapshots"), List.of("verify", "--snapshot", "latest"),
                List.of("restore", "--source", "db", "--tenant", "42", "--dry-run"));

        List<Run> runbookRuns = catalog.runs(RunQuery.of(RunKind.RUNBOOK));
        assertThat(runbookRuns).extracting(r -> r.actor().runbookCommit()).containsExactly(c2, c1);
        assertThat(runbookRuns).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
            assertThat(r.actor().runbook()).isEqualTo("check");
        });
        JsonNode details = new ObjectMapper().readTree(runbookRuns.get(1).details());
        assertThat(details.path("commit").asText()).isEqualTo(c1);
        assertThat(details.path("params").path("snapshot").asText()).isEqualTo("abc123");
        assertThat(details.path("steps")).hasSize(2);
        assertThat(details.path("evidenceCommit").asText()).isEqualTo(old.evidenceCommit());
        // Runs the steps recorded meanwhile carry the runbook and its commit too.
        assertThat(catalog.runs(RunQuery.of(RunKind.VERIFY))).extracting(r -> r.actor().runbookCommit())
                .containsExactly(c2, c2, c2, c1, c1);
        List<AuditEntry> audits = catalog.audits(null, 0);
        assertThat(audits).filteredOn(a -> a.command().startsWith("runbook run"))
                .extracting(a -> a.actor().runbookCommit()).containsExactly(c2, c1);
        assertThat(audits).filteredOn(a -> a.command().equals("rk verify --snapshot abc123"))
                .singleElement().satisfies(a -> assertThat(a.actor().runbookCommit()).isEqualTo(c1));
        assertThat(service.list()).filteredOn(l -> l.name().equals("check")).singleElement()
                .satisfies(l -> assertThat(l.lastRun().id()).isEqualTo(current.runId()));

        // The evidence: one commit per run, each transcript naming the commit that ran.
        assertThat(old.evidencePath()).matches("evidence/\\d{4}/\\d{2}/\\d{8}-\\d{6}-check-run\\d+\\.txt");
        assertThat(Files.readString(store.workTree().resolve(old.evidencePath())))
                .contains("commit:    " + c1).contains("snapshot = abc123")
                .contains("[2] line 5: rk verify --snapshot abc123\n    done, exit 0");
        assertThat(Files.readString(store.workTree().resolve(current.evidencePath()))).contains("commit:    " + c2);
        List<String> subjects = new java.util.ArrayList<>();
        new org.eclipse.jgit.api.Git(store.repository()).log().call().forEach(c -> subjects.add(c.getShortMessage()));
        assertThat(subjects).startsWith("Evidence: check run " + current.runId() + " at " + c2.substring(0, 10)
                        + " succeeded", "Evidence: check run " + old.runId() + " at " + c1.substring(0, 10) + " succeeded",
                "Restore a tenant too", "First version");

        assumeTrue(RealGit.installed(), "git is not installed: the evidence was checked with JGit only");
        Path gitDir = store.workTree().resolve(".git");
        assertThat(RealGit.run(gitDir, "log", "--format=%H %s", "-n", "4")).isEqualTo(
                current.evidenceCommit() + " " + subjects.get(0) + "\n" + old.evidenceCommit() + " " + subjects.get(1)
                        + "\n" + c2 + " Restore a tenant too\n" + c1 + " First version\n");
        assertThat(RealGit.run(gitDir, "show", old.evidenceCommit() + ":" + old.evidencePath()))
                .contains("commit:    " + c1);
    }

    @Test
    @DisplayName("a runbook whose third step fails stops there with that step's exit code")
    void stopsAtTheFailingStep() throws Exception {
        service.save("failing", """
                title: Stops at step 3
                ---
                rk snapshots
                rk verify
                rk restore --source db --dry-run
                rk snapshots --source db
                echo "never shown"
                """, "Three steps then more");
        steps.failing("restore", 4);
        RunbookResult result = service.run(new RunbookRequest("failing", null, Map.of(), false, false, null),
                RunbookListener.NONE);

        assertThat(result.exitCode()).isEqualTo(4);
        assertThat(result.steps()).extracting(RunbookResult.StepResult::status).containsExactly(
                RunbookResult.Status.DONE, RunbookResult.Status.DONE, RunbookResult.Status.FAILED,
                RunbookResult.Status.NOT_RUN, RunbookResult.Status.NOT_RUN);
        assertThat(steps.executed).hasSize(3);
        assertThat(result.error()).isEqualTo("runbook 'failing' stopped at step 3 (line 5, rk restore --source db"
                + " --dry-run): restore failed on purpose with exit 4");
        String transcript = Files.readString(store.workTree().resolve(result.evidencePath()));
        assertThat(transcript)
                .contains("outcome:   FAILED with exit code 4")
                .contains("[1] line 3: rk snapshots\n    done, exit 0")
                .contains("[2] line 4: rk verify\n    done, exit 0")
                .contains("[3] line 5: rk restore --source db --dry-run\n    failed, exit 4")
                .contains("[4] line 6: rk snapshots --source db\n    not run\n")
                .contains("[5] line 7: echo never shown\n    not run\n");
        Run run = catalog.runs(RunQuery.of(RunKind.RUNBOOK)).get(0);
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).isEqualTo(result.error());
        assertThat(catalog.audits(null, 0).get(0)).satisfies(a -> {
            assertThat(a.exitCode()).isEqualTo(4);
            assertThat(a.outcome()).isEqualTo("LOCKED");
        });
    }

    @Test
    @DisplayName("a step marked '|| continue' records its failure and the run goes on")
    void continueMarkedSteps() {
        service.save("lenient", "title: T\n---\nrk verify || continue\nrk snapshots\n", "Lenient");
        steps.failing("verify", 3);
        RunbookResult result = service.run(new RunbookRequest("lenient", null, Map.of(), false, false, null),
                RunbookListener.NONE);
        assertThat(result.exitCode()).isZero();
        assertThat(result.steps()).extracting(RunbookResult.StepResult::status)
                .containsExactly(RunbookResult.Status.FAILED_CONTINUED, RunbookResult.Status.DONE);
        assertThat(catalog.runs(RunQuery.of(RunKind.RUNBOOK)).get(0).status()).isEqualTo(RunStatus.WARNING);
    }

    @Test
    @DisplayName("confirm asks when someone can answer, needs --yes when nobody can, and no stops the run")
    void confirmSteps() {
        service.save("ask", "title: T\n---\nconfirm \"Go on?\"\nrk snapshots\n", "Asks");
        RunbookResult unattended = service.run(new RunbookRequest("ask", null, Map.of(), false, false, null),
                RunbookListener.NONE);
        assertThat(unattended.exitCode()).isEqualTo(1);
        assertThat(unattended.error()).contains("nobody can answer here; run with --yes");
        RunbookResult declined = service.run(new RunbookRequest("ask", null, Map.of(), false, false,
                q -> Optional.of(false)), RunbookListener.NONE);
        assertThat(declined.steps().get(0).status()).isEqualTo(RunbookResult.Status.DECLINED);
        assertThat(steps.executed).isEmpty();
        RunbookResult yes = service.run(new RunbookRequest("ask", null, Map.of(), false, true, null),
                RunbookListener.NONE);
        assertThat(yes.exitCode()).isZero();
        RunbookResult asked = service.run(new RunbookRequest("ask", null, Map.of(), false, false,
                q -> Optional.of(q.equals("Go on?"))), RunbookListener.NONE);
        assertThat(asked.exitCode()).isZero();
        assertThat(steps.executed).hasSize(2);
    }

    @Test
    @DisplayName("missing required and unknown parameters are refused together (exit 2) and nothing runs")
    void parameters() {
        service.save("check", V2, "v2");
        BadInputException e = catchThrowableOfType(BadInputException.class, () -> service.run(new RunbookRequest(
                "check", null, Map.of("tenat", "42"), false, false, null), RunbookListener.NONE));
        assertThat(e.getMessage()).isEqualTo("runbook 'check': missing required parameter: tenant (the tenant);"
                + " unknown parameter: tenat; it takes snapshot=latest, tenant (give them as --param NAME=VALUE)");
        assertThat(e.code().exitCode()).isEqualTo(2);
        assertThat(steps.executed).isEmpty();
        assertThat(catalog.runs(RunQuery.ALL)).isEmpty();

        RunbookResult plan = service.run(new RunbookRequest("check", null, Map.of("tenant", "42"), true, false, null),
                RunbookListener.NONE);
        assertThat(plan.steps()).extracting(RunbookResult.StepResult::step).containsExactly("rk snapshots",
                "rk verify --snapshot latest", "rk restore --source db --tenant 42 --dry-run");
        assertThat(steps.executed).isEmpty();
        assertThat(catalog.runs(RunQuery.ALL)).isEmpty();
    }

    @Test
    @DisplayName("an invalid runbook is refused with the line and the reason, and nothing is committed")
    void invalidRunbookRefused() {
        int before = service.log("restore-tenant").size();
        InvalidRunbookException e = catchThrowableOfType(InvalidRunbookException.class, () -> service.save(
                "restore-tenant", "title: T\nparam tenant\n---\nrk snapshots\nrk restore --tenant ${tennant}\n",
                "typo"));
        assertThat(e.problems()).containsExactly(
                "line 5: '${tennant}' is not a declared parameter (declared: tenant)");
        assertThat(service.log("restore-tenant")).hasSize(before);
        assertThat(service.show("restore-tenant", null).runbook().title()).isEqualTo("Restore one tenant");
    }

    @Test
    @DisplayName("an unknown runbook or revision names what exists")
    void unknownNames() {
        assertThat(catchThrowableOfType(RunbookNotFoundException.class, () -> service.show("nope", null))
                .getMessage()).startsWith("no runbook 'nope' at the current revision").contains("restore-tenant");
        assertThat(catchThrowableOfType(RunbookNotFoundException.class, () -> service.show("restore-tenant",
                "0123456789abcdef")).getMessage()).startsWith("no revision '0123456789abcdef'");
    }

    @Test
    @DisplayName("passwords in step command lines and parameters stay out of the audit trail and the evidence")
    void secretsAreRedacted() throws Exception {
        service.save("secret", """
                title: T
                param target -- JDBC URL
                ---
                rk restore --source db --target ${target} --dry-run
                rk restore --source db --target jdbc:postgresql://db/app?user=rk&password=inline-secret
                """, "With a password");
        steps.failing("restore", 1);
        RunbookResult result = service.run(new RunbookRequest("secret", null,
                Map.of("target", "jdbc:postgresql://db/app?password=param-secret"), false, false, null),
                RunbookListener.NONE);
        assertThat(steps.executed.get(0)).contains("jdbc:postgresql://db/app?password=param-secret");
        String transcript = Files.readString(store.workTree().resolve(result.evidencePath()));
        assertThat(transcript).contains("--target jdbc:postgresql://db/app?password=*** --dry-run")
                .doesNotContain("param-secret");
        assertThat(catalog.audits(null, 0)).allSatisfy(a -> assertThat(a.command() + a.message())
                .doesNotContain("param-secret").doesNotContain("inline-secret"));
        assertThat(catalog.runs(RunQuery.of(RunKind.RUNBOOK)).get(0).details()).doesNotContain("param-secret");
    }

    @Test
    @DisplayName("a folder that already holds runbooks keeps them as the first version")
    void existingFolder() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("ops-runbooks"));
        Files.writeString(folder.resolve("restore-tenant.rk"), "title: Our own\n---\nrk snapshots\n");
        try (GitRunbookStore own = GitRunbookStore.open(new RunbookStoreSettings(folder.toString(), dir.resolve("home"),
                Path.of("runbooks"), null, null, null, null))) {
            assertThat(own.list()).extracting(RunbookStore.Entry::name).containsExactly("restore-tenant");
            assertThat(own.read("restore-tenant", null).text()).isEqualTo("title: Our own\n---\nrk snapshots\n");
        }
    }

    @Test
    @DisplayName("evidence is never replaced: two processes' run 1 in the same second get two files")
    void evidenceNeverReplaced() throws Exception {
        service.save("quick", "title: T\n---\nrk snapshots\n", "Quick");
        Clock fixed = Clock.fixed(java.time.Instant.parse("2026-11-22T03:00:00Z"), java.time.ZoneOffset.UTC);
        RunbookResult first = new RunbookService(() -> store, new InMemoryCatalog(), steps, fixed, null)
                .run(new RunbookRequest("quick", null, Map.of(), false, false, null), RunbookListener.NONE);
        RunbookResult second = new RunbookService(() -> store, new InMemoryCatalog(), steps, fixed, null)
                .run(new RunbookRequest("quick", null, Map.of(), false, false, null), RunbookListener.NONE);
        assertThat(first.evidencePath()).isEqualTo("evidence/2026/11/20261122-030000-quick-run1.txt");
        assertThat(second.evidencePath()).isEqualTo("evidence/2026/11/20261122-030000-quick-run1-2.txt");
        assertThat(Files.readString(store.workTree().resolve(first.evidencePath()))).contains("run:       1");
        assertThat(first.evidenceCommit()).isNotEqualTo(second.evidenceCommit());
    }
}
