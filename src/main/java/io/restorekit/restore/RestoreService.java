package io.restorekit.restore;

import io.restorekit.common.BadInputException;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.LockRequest;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryLock;
import io.restorekit.repository.Snapshot;
import io.restorekit.repository.SnapshotNotFoundException;
import io.restorekit.source.files.FilesRestore;
import io.restorekit.storage.StorageUnavailableException;
import io.restorekit.source.files.TreeReader;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Restores files snapshots: picks the snapshot, plans, enforces the overwrite policy, writes. */
public final class RestoreService {
    private final Repository repository;
    private final int threads;

    public RestoreService(Repository repository, int threads) {
        this.repository = repository;
        this.threads = threads;
    }

    public RestoreService(Repository repository) {
        this(repository, 2);
    }

    /** What {@link #restore} would do; writes nothing. */
    public RestorePlan plan(RestoreRequest request) {
        try {
            Snapshot snapshot = choose(request.source(), request.snapshot(), request.at(), request.files());
            return planFor(snapshot, request);
        } catch (IOException e) {
            throw new RkException(codeOf(e), "restore plan for source '" + request.source() + "' failed: "
                    + e, e);
        }
    }

    /**
     * Restores, or only plans when {@code dryRun}. Without {@code overwrite}, refuses before
     * writing anything when a file on disk would be replaced ({@link RestoreWouldOverwriteException}).
     */
    public RestoreResult restore(RestoreRequest request, ProgressListener progress) {
        long t0 = System.nanoTime();
        try {
            Snapshot snapshot = choose(request.source(), request.snapshot(), request.at(), request.files());
            RestorePlan plan = planFor(snapshot, request);
            if (request.dryRun()) {
                return new RestoreResult(plan, true, 0, 0, plan.filesUnchanged(), 0, 0,
                        (System.nanoTime() - t0) / 1_000_000, List.of());
            }
            if (plan.filesToOverwrite() > 0 && !request.overwrite()) {
                throw new RestoreWouldOverwriteException(plan);
            }
            try (RepositoryLock lock = repository.lock(LockRequest.shared("restore"))) {
                FilesRestore.Outcome o = new FilesRestore(repository, threads, snapshot.shortId())
                        .apply(plan.filesPlan(), progress);
                return new RestoreResult(plan, false, o.filesWritten(), o.filesOverwritten(), o.filesUnchanged(),
                        o.dirsCreated(), o.bytesWritten(), (System.nanoTime() - t0) / 1_000_000, o.warnings());
            }
        } catch (IOException e) {
            throw new RkException(codeOf(e), "restore into '" + request.target() + "' failed: " + e
                    + "; files written so far are complete, the rest is untouched", e);
        }
    }

    private RestorePlan planFor(Snapshot snapshot, RestoreRequest request) throws IOException {
        if (request.target() == null) {
            throw new BadInputException("restore needs a target: give --target DIR or --in-place");
        }
        List<List<String>> selections = new ArrayList<>();
        for (String f : request.files()) {
            selections.add(relative(f, snapshot));
        }
        if (selections.isEmpty()) {
            selections.add(List.of());
        }
        FilesRestore.Plan plan = new FilesRestore(repository, threads).plan(snapshot.tree(), selections,
                request.target());
        return RestorePlan.of(snapshot, plan);
    }

    /**
     * The snapshot to use: {@code idOrPrefix} when given (it must belong to {@code source}),
     * otherwise the newest files snapshot of {@code source} at or before {@code at} (now when
     * null) that contains every one of {@code files}.
     */
    public Snapshot choose(String source, String idOrPrefix, Instant at, List<String> files) throws IOException {
        if (idOrPrefix != null) {
            Snapshot s = repository.loadSnapshot(idOrPrefix);
            if (source != null && !source.equals(s.source())) {
                throw new BadInputException("snapshot " + s.shortId() + " belongs to source '" + s.source()
                        + "', not '" + source + "'; list them with 'rk snapshots --source " + source + "'");
            }
            if (!"files".equals(s.kind()) || s.tree() == null) {
                throw new BadInputException("snapshot " + s.shortId() + " of source '" + s.source()
                        + "' is not a files snapshot");
            }
            return s;
        }
        if (source == null) {
            throw new BadInputException("restore needs --source NAME (or --snapshot ID)");
        }
        List<Snapshot> candidates = repository.snapshots().stream()
                .filter(s -> source.equals(s.source()) && "files".equals(s.kind()) && s.tree() != null)
                .filter(s -> at == null || !s.time().isAfter(at))
                .sorted(Comparator.comparing(Snapshot::time).reversed())
                .toList();
        if (candidates.isEmpty()) {
            throw new SnapshotNotFoundException("no files snapshot of source '" + source + "'"
                    + (at == null ? "" : " at or before " + at) + "; list them with 'rk snapshots --source "
                    + source + "'");
        }
        if (files.isEmpty()) {
            return candidates.get(0);
        }
        TreeReader trees = new TreeReader(repository);
        for (Snapshot s : candidates) {
            if (containsAll(trees, s, files)) {
                return s;
            }
        }
        throw new SnapshotNotFoundException("no snapshot of source '" + source + "'"
                + (at == null ? "" : " at or before " + at) + " contains " + String.join(", ", quoted(files))
                + "; see 'rk versions --source " + source + " --file PATH'");
    }

    private static boolean containsAll(TreeReader trees, Snapshot s, List<String> files) throws IOException {
        for (String f : files) {
            if (trees.find(s.tree(), relative(f, s)).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /**
     * An operator's path as components under the source root: relative as given, or absolute
     * under the snapshot's root folder.
     */
    static List<String> relative(String path, Snapshot snapshot) {
        String p = path;
        if (p.startsWith("/")) {
            String root = snapshot.root() == null ? "" : snapshot.root();
            if (!root.isEmpty() && (p.equals(root) || p.startsWith(root.endsWith("/") ? root : root + "/"))) {
                p = p.substring(root.length());
            } else {
                throw new BadInputException("path '" + path + "' is not under the source's folder '" + root
                        + "'; give it relative to that folder");
            }
        }
        return TreeReader.splitPath(p);
    }

    static ErrorCode codeOf(IOException e) {
        return e instanceof StorageUnavailableException ? ErrorCode.UNREACHABLE : ErrorCode.FAILED;
    }

    private static List<String> quoted(List<String> files) {
        return files.stream().map(f -> "'" + f + "'").toList();
    }
}
