package io.restorekit.restore;

import io.restorekit.repository.BlobId;

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

import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.InMemoryCatalog;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Restores files snapshots: picks the snapshot (by the path index for {@code --at --file}), plans,
 * enforces the overwrite policy, writes. Every restore, dry run or not, is recorded in the catalog.
 */
public final class RestoreService {
    private final Repository repository;
    private final int threads;
    private final RestoreRecorder recorder;
    private final PathIndex index;

    /** @param cacheDir where the path index is kept ({@code RK_HOME/cache}); null for this process only */
    public RestoreService(Repository repository, int threads, Catalog catalog, Path cacheDir) {
        this.repository = repository;
        this.threads = threads;
        this.recorder = new RestoreRecorder(catalog, Clock.systemUTC());
        this.index = new PathIndex(repository, cacheDir);
    }

    public RestoreService(Repository repository, int threads) {
        this(repository, threads, new InMemoryCatalog(), null);
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
        Map<String, Object> asked = new LinkedHashMap<>();
        Map<String, Object> scope = new LinkedHashMap<>();
        if (request.scope() != null) {
            scope.put("tenant", request.scope().tenant());
            scope.put("module", request.scope().module());
        }
        if (!request.files().isEmpty()) {
            scope.put("files", request.files());
        }
        asked.put("scope", scope.isEmpty() ? "whole tree" : scope);
        asked.put("target", String.valueOf(request.target()));
        asked.put("dry-run", request.dryRun());
        if (request.at() != null) {
            asked.put("at", request.at().toString());
        }
        return recorder.record(request.source(), asked, () -> run(request, progress), r -> {
            RestorePlan p = r.plan();
            Map<String, Object> plan = new LinkedHashMap<>();
            plan.put("files-to-write", p.filesToWrite());
            plan.put("files-to-overwrite", p.filesToOverwrite());
            plan.put("files-unchanged", p.filesUnchanged());
            plan.put("bytes-to-read", p.bytesToRead());
            plan.put("bytes-read", r.dryRun() ? 0 : p.bytesToRead());
            if (!r.dryRun()) {
                plan.put("files-written", r.filesWritten());
                plan.put("files-overwritten", r.filesOverwritten());
            }
            return new RestoreRecorder.Summary(p.snapshot().id(), r.dryRun() ? 0 : p.bytesToRead(),
                    r.filesWritten() + r.filesOverwritten(), 0, plan);
        });
    }

    private RestoreResult run(RestoreRequest request, ProgressListener progress) {
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
        if (request.scope() != null) {
            if (!selections.isEmpty()) {
                throw new BadInputException("give --file or --tenant/--module, not both");
            }
            selections.addAll(request.scope().select(new TreeReader(repository), snapshot.tree()));
            if (selections.isEmpty()) {
                throw new BadInputException(request.scope().describe() + ": no path of snapshot "
                        + snapshot.shortId() + " of source '" + snapshot.source() + "' matches; check the tenant id,"
                        + " the module's 'paths' and the source's 'tenant-path', or list it with 'rk ls "
                        + snapshot.shortId() + "'");
            }
        } else if (selections.isEmpty()) {
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
        if (!files.isEmpty() && files.stream().noneMatch(f -> f.startsWith("/"))) {
            // Mostly the newest snapshot holds them: then only the trees along their paths are read.
            PathIndex.SnapshotEntry newest = index.newest(source, at);
            if (newest != null && holdsAll(new TreeReader(repository), newest.tree(), files)) {
                return repository.loadSnapshot(newest.id());
            }
            List<String> paths = files.stream().map(f -> String.join("/", TreeReader.splitPath(f))).toList();
            PathIndex.SnapshotEntry found = index.newestHolding(source, paths, at);
            List<PathIndex.SnapshotEntry> all = index.snapshots(source);
            if (all.isEmpty()) {
                throw new SnapshotNotFoundException("no files snapshot of source '" + source
                        + "'; list them with 'rk snapshots --source " + source + "'");
            }
            if (found == null && at != null && all.get(0).time().isAfter(at)) {
                throw new SnapshotNotFoundException(at + " is before the first snapshot of source '" + source
                        + "' (" + all.get(0).time() + "); see 'rk versions --source " + source + " --file PATH'");
            }
            if (found == null) {
                throw new SnapshotNotFoundException("no snapshot of source '" + source + "'"
                        + (at == null ? "" : " at or before " + at) + " contains " + String.join(", ", quoted(files))
                        + "; see 'rk versions --source " + source + " --file PATH'");
            }
            return repository.loadSnapshot(found.id());
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

    private static boolean holdsAll(TreeReader trees, BlobId root, List<String> files) throws IOException {
        for (String f : files) {
            if (trees.find(root, TreeReader.splitPath(f)).isEmpty()) {
                return false;
            }
        }
        return true;
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
