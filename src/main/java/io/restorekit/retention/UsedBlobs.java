package io.restorekit.retention;

import io.restorekit.common.ProgressListener;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobSet;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryCorruptException;
import io.restorekit.repository.Snapshot;
import io.restorekit.source.files.Node;
import io.restorekit.source.files.Tree;
import io.restorekit.source.files.TreeCodec;
import io.restorekit.source.postgres.DatabaseManifest;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Every blob the given snapshots need: their trees (or database manifests) and the data blobs
 * those name. The walk goes level by level over all snapshots at once, loading the trees of a
 * level a few hundred at a time on several threads; a subtree already seen is not read again, so
 * unchanged folders across a thousand snapshots cost one read. A tree that cannot be read stops
 * the walk: prune must not guess.
 */
final class UsedBlobs {
    private static final int THREADS = 8;
    private static final int BATCH = 256;

    private UsedBlobs() {
    }

    static BlobSet collect(Repository repository, List<Snapshot> snapshots, ProgressListener progress)
            throws IOException {
        BlobSet used = new BlobSet(1 << 16);
        List<BlobId> level = new ArrayList<>();
        progress.total(-1, snapshots.size());
        for (Snapshot s : snapshots) {
            if (s.tree() != null && used.add(s.tree())) {
                if (DatabaseManifest.isDatabase(s.kind())) {
                    try {
                        for (DatabaseManifest.Table t : DatabaseManifest.load(repository, s.tree()).tables()) {
                            t.blobs().forEach(used::add);
                        }
                    } catch (IOException | RuntimeException e) {
                        throw unreadable("the database manifest of snapshot " + s.shortId() + " of '" + s.source() + "'",
                                e);
                    }
                } else {
                    level.add(s.tree());
                }
            }
            progress.advance(0, 1);
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "rk-prune-walk");
            t.setDaemon(true);
            return t;
        });
        try {
            while (!level.isEmpty()) {
                List<BlobId> next = new ArrayList<>();
                for (int i = 0; i < level.size(); i += BATCH) {
                    List<Future<Tree>> loads = new ArrayList<>();
                    for (BlobId id : level.subList(i, Math.min(level.size(), i + BATCH))) {
                        loads.add(pool.submit(() -> TreeCodec.decode(repository.loadBlob(BlobType.TREE, id),
                                id.shortHex())));
                    }
                    for (int j = 0; j < loads.size(); j++) {
                        Tree tree = get(loads.get(j), level.get(i + j));
                        for (Node node : tree.nodes()) {
                            if (node.isDir() && node.subtree() != null) {
                                if (used.add(node.subtree())) {
                                    next.add(node.subtree());
                                }
                            } else if (node.content() != null) {
                                node.content().forEach(used::add);
                            }
                        }
                    }
                }
                level = next;
            }
        } finally {
            pool.shutdownNow();
        }
        return used;
    }

    private static Tree get(Future<Tree> load, BlobId id) throws IOException {
        try {
            return load.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the snapshots' trees");
        } catch (ExecutionException e) {
            throw unreadable("tree blob " + id.shortHex(), e.getCause());
        }
    }

    private static RepositoryCorruptException unreadable(String what, Throwable cause) {
        return new RepositoryCorruptException(what + " cannot be read (" + cause.getMessage() + "), so prune cannot"
                + " tell which data the snapshots need; run 'rk verify' and repair the repository before pruning",
                cause);
    }
}
