package io.restorekit.source.files;

import io.restorekit.common.BadInputException;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.Repository;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads tree blobs and finds paths in them, keeping the most recently used trees: consecutive
 * snapshots share most subtrees, so walking several of them loads each distinct tree once.
 * Not thread-safe.
 */
public final class TreeReader {
    private final Repository repository;
    private final Map<BlobId, Tree> cache;

    public TreeReader(Repository repository) {
        this(repository, 256);
    }

    public TreeReader(Repository repository, int cachedTrees) {
        this.repository = repository;
        this.cache = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<BlobId, Tree> eldest) {
                return size() > cachedTrees;
            }
        };
    }

    public Tree load(BlobId id) throws IOException {
        Tree tree = cache.get(id);
        if (tree == null) {
            tree = TreeCodec.decode(repository.loadBlob(BlobType.TREE, id), id.shortHex());
            cache.put(id, tree);
        }
        return tree;
    }

    /**
     * The node at {@code path} (components relative to the root), or empty when the snapshot has
     * nothing there. The empty path is the root itself, returned as a directory node without name.
     */
    public Optional<Node> find(BlobId root, List<String> path) throws IOException {
        Node current = new Node("", Node.Type.DIR, null, null, null, null, null, null, null, null, null, null,
                null, null, root, null);
        for (String name : path) {
            if (!current.isDir() || current.subtree() == null) {
                return Optional.empty();
            }
            Optional<Node> child = load(current.subtree()).find(name);
            if (child.isEmpty()) {
                return Optional.empty();
            }
            current = child.get();
        }
        return Optional.of(current);
    }

    /**
     * Splits an operator-given path relative to the source root into components. Empty and
     * {@code .} components are dropped; {@code ..} is refused, so the path cannot leave the root.
     */
    public static List<String> splitPath(String path) {
        List<String> parts = new ArrayList<>();
        if (path == null) {
            return parts;
        }
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..") || part.indexOf('\0') >= 0) {
                throw new BadInputException("path '" + path + "' must stay inside the source root: give it "
                        + "relative to the root, without '..'");
            }
            parts.add(part);
        }
        return parts;
    }
}
