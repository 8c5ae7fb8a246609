package io.restorekit.retention;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.LockRequest;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryLock;
import io.restorekit.repository.Snapshot;
import io.restorekit.catalog.Catalog;
import io.restorekit.source.files.Node;
import io.restorekit.source.files.Tree;
import io.restorekit.source.files.TreeReader;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code verify --locks}: for every snapshot the policy keeps, its manifest and every pack holding
 * one of its blobs (and the repository's zstd dictionaries, which its small files may need) must
 * be under Object Lock retention at least until the snapshot's planned expiry (see
 * {@link RetentionPlan.Decision#expires()}; snapshots kept without a known end need their objects
 * locked at least until now). Takes a shared lock.
 */
public final class LockAuditService {
    private static final int SNAPSHOTS_NAMED = 10;

    private final Repository repository;
    private final Catalog catalog;
    private final Clock clock;

    public LockAuditService(Repository repository, Catalog catalog, Clock clock) {
        this.repository = repository;
        this.catalog = catalog;
        this.clock = clock;
    }

    public LockAuditReport audit(RetentionPolicy policy, ZoneId zone) {
        long start = System.nanoTime();
        if (!repository.storage().supportsRetention()) {
            return new LockAuditReport(false, 0, 0, List.of(), 0);
        }
        try (RepositoryLock lock = repository.lock(LockRequest.shared("verify --locks"))) {
            Instant now = clock.instant();
            List<Snapshot> snapshots = repository.snapshots();
            List<SnapshotRef> refs = snapshots.stream().filter(s -> s.time() != null).map(SnapshotRef::of).toList();
            RetentionPlan plan = RetentionPlanner.plan(refs, policy,
                    Drills.passed(catalog, refs.stream().map(SnapshotRef::id).toList()), now, zone);
            Map<String, Snapshot> byId = new java.util.HashMap<>();
            snapshots.forEach(s -> byId.put(s.id(), s));
            // object path -> latest needed expiry, and which snapshots need it
            Map<String, Instant> needed = new TreeMap<>();
            Map<String, Set<String>> neededBy = new TreeMap<>();
            TreeReader trees = new TreeReader(repository);
            int kept = 0;
            for (RetentionPlan.Decision d : plan.kept()) {
                kept++;
                Instant until = d.expires() == null || d.expires().isBefore(now) ? now : d.expires();
                Snapshot s = byId.get(d.snapshot().id());
                Set<String> objects = new LinkedHashSet<>();
                objects.add(new Handle(Kind.SNAPSHOT, s.id()).path());
                for (String pack : packs(trees, s)) {
                    objects.add(new Handle(Kind.PACK, pack).path());
                }
                for (String o : objects) {
                    needed.merge(o, until, (a, b) -> a.isAfter(b) ? a : b);
                    neededBy.computeIfAbsent(o, k -> new LinkedHashSet<>()).add(s.shortId());
                }
            }
            // The repository's zstd dictionaries: any snapshot's small files may need one, so each is
            // needed as long as the longest-kept snapshot.
            Instant latest = needed.values().stream().max(Instant::compareTo).orElse(null);
            if (latest != null) {
                List<String> keptIds = plan.kept().stream().map(d -> byId.get(d.snapshot().id()).shortId())
                        .limit(SNAPSHOTS_NAMED).toList();
                repository.storage().list(Kind.DICT, f -> {
                    needed.put(f.handle().path(), latest);
                    neededBy.put(f.handle().path(), new LinkedHashSet<>(keptIds));
                });
            }
            List<LockAuditReport.Shortfall> shortfalls = new ArrayList<>();
            for (Map.Entry<String, Instant> e : needed.entrySet()) {
                Handle handle = handle(e.getKey());
                Instant locked = repository.storage().retainUntil(handle);
                if (locked == null || locked.isBefore(e.getValue())) {
                    shortfalls.add(new LockAuditReport.Shortfall(e.getKey(), locked, e.getValue(),
                            neededBy.get(e.getKey()).stream().limit(SNAPSHOTS_NAMED).toList()));
                }
            }
            return new LockAuditReport(true, kept, needed.size(), shortfalls, (System.nanoTime() - start) / 1_000_000);
        } catch (IOException e) {
            throw new RkException(ErrorCode.FAILED, "checking the Object Lock retention of '"
                    + repository.storage().location() + "' could not complete: " + e.getMessage(), e);
        }
    }

    private static Handle handle(String path) {
        if (path.startsWith("snapshots/")) {
            return new Handle(Kind.SNAPSHOT, path.substring("snapshots/".length()));
        }
        if (path.startsWith("dicts/")) {
            return new Handle(Kind.DICT, path.substring("dicts/".length()));
        }
        return new Handle(Kind.PACK, path.substring(path.lastIndexOf('/') + 1));
    }

    /** The packs holding the blobs of one snapshot. */
    private Set<String> packs(TreeReader trees, Snapshot s) throws IOException {
        Set<String> packs = new HashSet<>();
        if (s.tree() == null) {
            return packs;
        }
        add(packs, BlobType.TREE, s.tree());
        if (DatabaseManifest.isDatabase(s.kind())) {
            for (DatabaseManifest.Table t : DatabaseManifest.load(repository, s.tree()).tables()) {
                t.blobs().forEach(c -> add(packs, BlobType.DATA, c));
            }
            return packs;
        }
        Set<BlobId> seen = new HashSet<>();
        Deque<BlobId> todo = new ArrayDeque<>();
        todo.push(s.tree());
        while (!todo.isEmpty()) {
            Tree tree = trees.load(todo.pop());
            for (Node node : tree.nodes()) {
                if (node.isDir() && node.subtree() != null) {
                    if (seen.add(node.subtree())) {
                        add(packs, BlobType.TREE, node.subtree());
                        todo.push(node.subtree());
                    }
                } else if (node.content() != null) {
                    node.content().forEach(c -> add(packs, BlobType.DATA, c));
                }
            }
        }
        return packs;
    }

    private void add(Set<String> packs, BlobType type, BlobId id) {
        String pack = repository.packOf(type, id);
        if (pack != null) {
            packs.add(pack);
        }
    }
}
