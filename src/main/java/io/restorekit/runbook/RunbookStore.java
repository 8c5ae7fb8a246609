package io.restorekit.runbook;

import java.time.Instant;
import java.util.List;

/**
 * Where runbooks live: a versioned store in which every saved version is kept and can be read
 * back by revision, and where run transcripts are committed as evidence. Files are
 * {@code NAME.rk} at the top level and {@code evidence/YYYY/MM/...} for transcripts.
 */
public interface RunbookStore extends AutoCloseable {

    /** The configured location: a folder, or the remote URL. */
    String location();

    /** Whether changes are pushed to (and fetched from) a remote repository. */
    boolean remote();

    /** The runbooks at the current revision, by name, each with the last commit that changed it. */
    List<Entry> list();

    /**
     * Runbook {@code name} as of {@code rev} (a commit id or unique prefix, a tag, {@code HEAD~2}; null: the current revision).
     *
     * @throws RunbookNotFoundException when there is no such revision or no such runbook in it
     */
    Revision read(String name, String rev);

    /** The commits that changed runbook {@code name}, newest first. */
    List<Change> log(String name);

    /** A unified diff of runbook {@code name} between two revisions; empty when equal. */
    String diff(String name, String rev1, String rev2);

    /** Commits {@code text} as runbook {@code name}, then pushes when remote (a failed push keeps the commit). */
    SaveResult save(String name, String text, String message, Author author);

    /**
     * Commits a transcript at {@code path} (under {@code evidence/}; a suffix is added when the name is
     * taken, see {@link SaveResult#path()}), then pushes when remote.
     */
    SaveResult commitEvidence(String path, String text, String message, Author author);

    /**
     * Brings the local clone and the remote together: fetches, then fast-forwards or pushes.
     * Never discards a local commit or a local edit; diverged histories are refused unless
     * {@code rebase} is given or the local commits only add evidence, and a rebase that conflicts is undone.
     */
    SyncResult sync(boolean rebase);

    @Override
    void close();

    /** Who commits: the operator. */
    record Author(String name, String email) {
    }

    /** @param commit full commit id */
    record Change(String commit, Instant time, String author, String message) {
        public String shortCommit() {
            return commit.substring(0, Math.min(10, commit.length()));
        }
    }

    /** @param lastChange the last commit that changed the runbook */
    record Entry(String name, Change lastChange) {
    }

    /**
     * @param commit the version: the last commit at or before the revision that changed the runbook (runs are pinned to it)
     * @param blob   the id of the runbook file's content
     */
    record Revision(String name, String commit, Instant time, String blob, String text) {
    }

    /**
     * @param commit  the new commit, or the current one when nothing changed
     * @param changed false when the content was already stored (no commit made)
     * @param pushed  whether the remote has it (always false for a local store)
     * @param warning why it was not pushed, or null
     */
    record SaveResult(String path, String commit, boolean changed, boolean pushed, String warning) {
    }

    /**
     * @param action  {@code local} (nothing to sync), {@code up to date}, {@code fast-forward},
     *                {@code pushed}, {@code rebased and pushed}, {@code seeded}
     * @param before  the local commit before the sync
     * @param after   the local commit after it
     * @param remote  the remote's commit after the fetch, or null
     */
    record SyncResult(String location, String action, String before, String after, String remote,
                      int received, int sent) {
    }
}
