package io.restorekit.retention;

import io.restorekit.common.ProgressListener;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobSet;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryCorruptException;
import io.restorekit.repository.Snapshot;
import io.restorekit.source.files.Node;
import io.restorekit.source.files.Tree;
import io.restorekit.source.files.TreeReader;
import io.restorekit.source.postgres.DatabaseManifest;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Every blob the given snapshots need: their trees (or database manifests) and the data blobs
 * those name. A subtree already seen is not read again, so unchanged folders across a thousand
 * snapshots cost one read. A tree that cannot be read stops the walk: prune must not guess.
 */
final class UsedBlobs {
    private UsedBlobs() {
    }

    static BlobSet collect(Repository repository, List<Snapshot> snapshots, ProgressListener progress)
            throws IOException {
        BlobSet used = new BlobSet(1 << 16);
        TreeReader trees = new TreeReader(repository);
        progress.total(-1, snapshots.size());
        for (Snapshot s : snapshots) {
            if (s.tree() != null && used.add(s.tree())) {
                try {
                    if (DatabaseManifest.KIND.equals(s.kind())) {
                        for (DatabaseManifest.Table t : DatabaseManifest.load(repository, s.tree()).tables()) {
                            t.chunks().forEach(used::add);
                        }
                    } else {
                        walk(trees, s.tree(), used);
                    }
                } catch (IOException | RuntimeException e) {
                    throw new RepositoryCorruptException("snapshot " + s.shortId() + " of '" + s.source()
                            + "' cannot be read whole (" + e.getMessage() + "), so prune cannot tell which data it"
                            + " needs; run 'rk verify' and repair the repository before pruning", e);
                }
            }
            progress.advance(0, 1);
        }
        return used;
    }

    private static void walk(TreeReader trees, BlobId root, BlobSet used) throws IOException {
        Deque<BlobId> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Tree tree = trees.load(todo.pop());
            for (Node node : tree.nodes()) {
                if (node.isDir() && node.subtree() != null) {
                    if (used.add(node.subtree())) {
                        todo.push(node.subtree());
                    }
                } else if (node.content() != null) {
                    node.content().forEach(used::add);
                }
            }
        }
    }
}
