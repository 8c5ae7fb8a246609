package io.restorekit.runbook;

import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunQuery;
import io.restorekit.common.ErrorCode;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The runbook store on a remote over SSH: an in-process MINA SSHD server serving bare Git
 * repositories, key authentication and a known_hosts file written here. Two clones (two hosts'
 * RK_HOME) show conflicting changes; a connection cut mid-fetch shows an interrupted sync.
 */
class RemoteRunbookStoreTest {
    @TempDir
    static Path serverDir;
    static GitSshTestServer server;
    static Path knownHosts;

    @TempDir
    Path dir;
    final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        server = new GitSshTestServer(serverDir);
        knownHosts = server.writeKnownHosts(serverDir.resolve("known_hosts"));
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @AfterEach
    void closeStores() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    GitRunbookStore open(String host, String url) {
        return open(host, url, knownHosts);
    }

    GitRunbookStore open(String host, String url, Path hosts) {
        GitRunbookStore store = GitRunbookStore.open(new RunbookStoreSettings(url, dir.resolve(host), Path.of("runbooks"),
                server.clientKey(), hosts, null, null));
        opened.add(store);
        return store;
    }

    static String headOf(Path bare) throws Exception {
        try (Git git = Git.open(bare.toFile())) {
            return git.getRepository().resolve("refs/heads/main").getName();
        }
    }

    static List<String> logOf(Path bare) throws Exception {
        List<String> subjects = new ArrayList<>();
        try (Git git = Git.open(bare.toFile())) {
            for (RevCommit c : git.log().add(git.getRepository().resolve("refs/heads/main")).call()) {
                subjects.add(c.getName() + " " + c.getShortMessage());
            }
        }
        return subjects;
    }

    @Test
    @DisplayName("over SSH: seed an empty remote, save two versions, run the old one by revision, evidence pushed")
    void savesRunsAndPushesEvidence() throws Exception {
        String url = server.createRepository("ops-runbooks.git");
        long t0 = System.nanoTime();
        GitRunbookStore store = open("host-a", url);
        System.err.println("clone of an empty remote, seed and push: " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertThat(store.remote()).isTrue();
        assertThat(logOf(server.repository("ops-runbooks.git"))).singleElement().asString().endsWith(" Default runbooks");

        InMemoryCatalog catalog = new InMemoryCatalog();
        ScriptedSteps steps = new ScriptedSteps(catalog);
        RunbookService service = new RunbookService(() -> store, catalog, steps, Clock.systemUTC(),
                () -> RunbookParser.CONTRACT_COMMANDS);
        RunbookStore.SaveResult s1 = service.save("check", LocalRunbookStoreTest.V1, "First version").result();
        t0 = System.nanoTime();
        RunbookStore.SaveResult s2 = service.save("check", LocalRunbookStoreTest.V2, "Second version").result();
        System.err.println("save with push: " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertThat(s1.pushed()).isTrue();
        assertThat(s2.pushed()).isTrue();
        assertThat(headOf(server.repository("ops-runbooks.git"))).isEqualTo(s2.commit());

        RunbookResult old = service.run(new RunbookRequest("check", s1.commit(), Map.of(), false, false, null),
                RunbookListener.NONE);
        t0 = System.nanoTime();
        RunbookResult current = service.run(new RunbookRequest("check", null, Map.of("tenant", "7"), false, false,
                null), RunbookListener.NONE);
        System.err.println("run of 3 steps with evidence commit and push: " + (System.nanoTime() - t0) / 1_000_000
                + " ms");
        assertThat(old.steps()).hasSize(2);
        assertThat(current.steps()).hasSize(3);
        assertThat(old.evidencePushed()).isTrue();
        assertThat(current.evidencePushed()).isTrue();
        List<Run> runs = catalog.runs(RunQuery.of(RunKind.RUNBOOK));
        assertThat(runs).extracting(r -> r.actor().runbookCommit()).containsExactly(s2.commit(), s1.commit());
        assertThat(catalog.audits(null, 0)).filteredOn(a -> a.command().startsWith("runbook run check"))
                .extracting(a -> a.actor().runbookCommit()).containsExactly(s2.commit(), s1.commit());

        Path bare = server.repository("ops-runbooks.git");
        assertThat(logOf(bare)).containsExactly(
                current.evidenceCommit() + " Evidence: check run " + current.runId() + " at "
                        + s2.commit().substring(0, 10) + " succeeded",
                old.evidenceCommit() + " Evidence: check run " + old.runId() + " at " + s1.commit().substring(0, 10)
                        + " succeeded",
                s2.commit() + " Second version", s1.commit() + " First version",
                logOf(bare).get(4));

        // Another host clones and sees the same history and evidence.
        t0 = System.nanoTime();
        GitRunbookStore other = open("host-b", url);
        System.err.println("clone of the remote: " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertThat(other.read("check", s1.commit().substring(0, 7)).text()).isEqualTo(LocalRunbookStoreTest.V1);
        assertThat(Files.readString(other.workTree().resolve(old.evidencePath()))).contains("commit:    " + s1.commit());

        assumeTrue(RealGit.installed(), "git is not installed: the evidence on the server was checked with JGit only");
        assertThat(RealGit.run(bare, "log", "--format=%H %s", "-n", "2", "main")).isEqualTo(
                String.join("\n", logOf(bare).subList(0, 2)) + "\n");
        assertThat(RealGit.run(bare, "show", "main:" + current.evidencePath())).contains("commit:    " + s2.commit())
                .contains("tenant = 7");
    }

    @Test
    @DisplayName("a conflicting remote change is refused naming both commits, and the local edit is kept")
    void conflictingRemoteChange() throws Exception {
        String url = server.createRepository("conflict.git");
        GitRunbookStore a = open("host-a", url);
        GitRunbookStore b = open("host-b", url);
        String original = a.read("restore-tenant", null).text();
        String theirs = original.replace("target-time: 30m", "target-time: 45m");
        String mine = original.replace("target-time: 30m", "target-time: 20m");

        RunbookStore.SaveResult bSaved = b.save("restore-tenant", theirs, "Allow 45 minutes", new RunbookStore.Author("bob", "bob@b"));
        assertThat(bSaved.pushed()).isTrue();
        RunbookStore.SaveResult aSaved = a.save("restore-tenant", mine, "Aim for 20 minutes", new RunbookStore.Author("ann", "ann@a"));
        assertThat(aSaved.changed()).isTrue();
        assertThat(aSaved.pushed()).isFalse();
        assertThat(aSaved.warning()).contains("committed locally as " + aSaved.commit().substring(0, 10))
                .contains("run 'rk runbook sync'");

        RunbookSyncException refused = catchThrowableOfType(RunbookSyncException.class, () -> a.sync(false));
        assertThat(refused.code()).isEqualTo(ErrorCode.FAILED);
        System.err.println("reported: " + refused.getMessage());
        assertThat(refused.getMessage())
                .contains("commit " + aSaved.commit().substring(0, 10) + " \"Aim for 20 minutes\"")
                .contains("commit " + bSaved.commit().substring(0, 10) + " \"Allow 45 minutes\" by bob")
                .contains("nothing was changed and your 1 local commit(s) are kept")
                .contains("rk runbook sync --rebase");
        assertThat(a.read("restore-tenant", null).text()).isEqualTo(mine);
        assertThat(Files.readString(a.workTree().resolve("restore-tenant.rk"))).isEqualTo(mine);

        // Both changed the same line: the rebase conflicts and is undone, the local commit unchanged.
        RunbookSyncException conflict = catchThrowableOfType(RunbookSyncException.class, () -> a.sync(true));
        System.err.println("reported: " + conflict.getMessage());
        assertThat(conflict.getMessage()).contains("conflicts").contains("so it was undone: local commit "
                + aSaved.commit().substring(0, 10) + " is unchanged");
        assertThat(a.read("restore-tenant", null).commit()).isEqualTo(aSaved.commit());
        assertThat(Files.readString(a.workTree().resolve("restore-tenant.rk"))).isEqualTo(mine);
        assertThat(headOf(server.repository("conflict.git"))).isEqualTo(bSaved.commit());
    }

    @Test
    @DisplayName("an interrupted sync is reported and loses no local edit; the next sync completes")
    void interruptedSync() throws Exception {
        String url = server.createRepository("interrupted.git");
        GitRunbookStore a = open("host-a", url);
        GitRunbookStore b = open("host-b", url);
        String theirs = b.read("monthly-drill", null).text().replace("target-time: 4h", "target-time: 3h");
        RunbookStore.SaveResult bSaved = b.save("monthly-drill", theirs, "Drill in 3 hours",
                new RunbookStore.Author("bob", "bob@b"));
        // A local edit on host a, not saved yet.
        Path edited = a.workTree().resolve("recover-file.rk");
        String mine = Files.readString(edited) + "echo \"note the ticket number\"\n";
        Files.writeString(edited, mine);
        String before = a.read("monthly-drill", null).commit();

        server.dropNextFetch();
        long t0 = System.nanoTime();
        RunbookSyncException interrupted = catchThrowableOfType(RunbookSyncException.class, () -> a.sync(false));
        System.err.println("interrupted sync reported after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertThat(interrupted.code()).isEqualTo(ErrorCode.UNREACHABLE);
        System.err.println("reported: " + interrupted.getMessage());
        assertThat(interrupted.getMessage()).startsWith("sync of the runbooks with '" + url + "' was interrupted: ")
                .contains("nothing changed here").contains("run 'rk runbook sync' again");
        assertThat(Files.readString(edited)).isEqualTo(mine);
        assertThat(a.read("monthly-drill", null).commit()).isEqualTo(before);

        // The edit is in the way of a fast-forward: refused, naming the file, still nothing lost.
        RunbookSyncException dirty = catchThrowableOfType(RunbookSyncException.class, () -> a.sync(false));
        System.err.println("reported: " + dirty.getMessage());
        assertThat(dirty.getMessage()).contains("were edited but not saved (recover-file.rk)");
        assertThat(Files.readString(edited)).isEqualTo(mine);

        // Saved, the edit goes on top of the remote's change and both are pushed.
        RunbookStore.SaveResult aSaved = a.save("recover-file", mine, "Note the ticket", new RunbookStore.Author("ann", "ann@a"));
        assertThat(aSaved.pushed()).isFalse();
        RunbookStore.SyncResult synced = a.sync(true);
        assertThat(synced.action()).isEqualTo("rebased and pushed");
        assertThat(synced.received()).isEqualTo(1);
        assertThat(synced.sent()).isEqualTo(1);
        assertThat(a.read("monthly-drill", null).text()).isEqualTo(theirs);
        assertThat(a.read("recover-file", null).text()).isEqualTo(mine);
        assertThat(headOf(server.repository("interrupted.git"))).isEqualTo(synced.after());
        assertThat(b.sync(false).action()).isEqualTo("fast-forward");
        assertThat(b.read("recover-file", null).text()).isEqualTo(mine);
        assertThat(bSaved.commit()).isNotEqualTo(synced.after());
    }

    @Test
    @DisplayName("a server whose host key is not in known_hosts is refused")
    void unknownHostKey() throws Exception {
        String url = server.createRepository("stranger.git");
        Path otherHosts = Files.writeString(dir.resolve("known_hosts"), server.knownHostsLine()
                .replaceFirst("^\\[127.0.0.1]", "[127.0.0.2]") + "\n");
        RunbookSyncException e = catchThrowableOfType(RunbookSyncException.class, () -> open("host-c", url, otherHosts));
        System.err.println("reported: " + e.getMessage());
        assertThat(e.code()).isEqualTo(ErrorCode.UNREACHABLE);
        assertThat(e.getMessage()).startsWith("cannot clone the runbook repository '" + url + "'")
                .containsIgnoringCase("host");
        assertThat(Files.exists(dir.resolve("host-c/runbooks-clone"))).isFalse();
    }

    @Test
    @DisplayName("evidence committed while the remote moved on is put on top by the next sync without asking")
    void evidenceOnlyDivergenceSyncs() throws Exception {
        String url = server.createRepository("evidence.git");
        GitRunbookStore a = open("host-a", url);
        GitRunbookStore b = open("host-b", url);
        RunbookStore.SaveResult bSaved = b.save("offline-export", b.read("offline-export", null).text()
                .replace("2h", "3h"), "Slower drives", new RunbookStore.Author("bob", "bob@b"));
        InMemoryCatalog catalog = new InMemoryCatalog();
        RunbookService service = new RunbookService(() -> a, catalog, new ScriptedSteps(catalog), Clock.systemUTC(), null);
        RunbookResult run = service.run(new RunbookRequest("monthly-drill", null, Map.of(), false, false, null),
                RunbookListener.NONE);
        assertThat(run.evidenceCommit()).isNotNull();
        assertThat(run.evidencePushed()).isFalse();
        assertThat(run.warnings()).singleElement().asString().contains("run 'rk runbook sync'");

        RunbookStore.SyncResult synced = a.sync(false);
        assertThat(synced.action()).isEqualTo("rebased and pushed");
        Path bare = server.repository("evidence.git");
        assertThat(logOf(bare).get(0)).endsWith(" Evidence: monthly-drill run " + run.runId() + " at "
                + run.commit().substring(0, 10) + " succeeded");
        assertThat(logOf(bare).get(1)).isEqualTo(bSaved.commit() + " Slower drives");
        assertThat(Files.readString(a.workTree().resolve(run.evidencePath()))).contains("commit:    " + run.commit());
    }
}
