package io.restorekit.restore;

import io.restorekit.common.BadInputException;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;
import io.restorekit.repository.Snapshot;
import io.restorekit.repository.SnapshotNotFoundException;
import io.restorekit.source.files.Node;
import io.restorekit.source.files.TreeReader;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Looks into files snapshots without restoring: {@code ls} and {@code versions}. */
public final class FilesBrowser {
    private final Repository repository;
    private final PathIndex index;

    /** @param cacheDir where the path index is kept ({@code RK_HOME/cache}); null for this process only */
    public FilesBrowser(Repository repository, java.nio.file.Path cacheDir) {
        this.repository = repository;
        this.index = new PathIndex(repository, cacheDir);
    }

    public FilesBrowser(Repository repository) {
        this(repository, null);
    }

    /**
     * One entry of a listing.
     *
     * @param path   relative to the source root
     * @param type   {@code file}, {@code dir} or {@code symlink}
     * @param mode   permission bits
     * @param mtime  modification time, or null when not recorded
     * @param target a link's text, else null
     */
    public record Entry(String name, String path, String type, long size, int mode, Instant mtime, String user,
                        String group, String target) {
    }

    /** The entries of a folder, or the one entry of a file, at {@code path} in a snapshot. */
    public record Listing(Snapshot snapshot, String path, boolean directory, List<Entry> entries) {
        public Listing {
            entries = List.copyOf(entries);
        }
    }

    /**
     * One stored version of a file.
     *
     * @param changed whether the content differs from the previous version listed (true for the first)
     */
    public record FileVersion(String snapshotId, Instant time, String type, long size, String sha256,
                              Instant mtime, boolean changed) {
    }

    /** Every snapshot of a source holding a path, oldest first. */
    public record Versions(String source, String path, List<FileVersion> versions) {
        public Versions {
            versions = List.copyOf(versions);
        }
    }

    /** Lists {@code path} (relative to the source root; null or empty for the root) in a snapshot. */
    public Listing ls(String snapshotIdOrPrefix, String path) {
        try {
            Snapshot s = repository.loadSnapshot(snapshotIdOrPrefix);
            if (!"files".equals(s.kind()) || s.tree() == null) {
                throw new BadInputException("snapshot " + s.shortId() + " of source '" + s.source()
                        + "' is not a files snapshot");
            }
            List<String> parts = RestoreService.relative(path == null ? "" : path, s);
            String rel = String.join("/", parts);
            TreeReader trees = new TreeReader(repository);
            Node node = trees.find(s.tree(), parts).orElseThrow(() -> new BadInputException(
                    "'" + rel + "' is not in snapshot " + s.shortId() + " of source '" + s.source()
                            + "'; list its parent folder with 'rk ls " + s.shortId() + "'"));
            if (!node.isDir()) {
                return new Listing(s, rel, false, List.of(entry(node, rel)));
            }
            List<Entry> entries = new ArrayList<>();
            for (Node child : trees.load(node.subtree()).nodes()) {
                entries.add(entry(child, rel.isEmpty() ? child.name() : rel + "/" + child.name()));
            }
            return new Listing(s, rel, true, entries);
        } catch (IOException e) {
            throw new RkException(RestoreService.codeOf(e), "cannot list snapshot '" + snapshotIdOrPrefix + "': " + e, e);
        }
    }

    /**
     * Every snapshot of {@code source} that holds {@code path}, oldest first;
     * {@link BadInputException} when none does.
     */
    public Versions versions(String source, String path) {
        try {
            if (path.startsWith("/")) {
                return scan(source, path);
            }
            String rel = String.join("/", TreeReader.splitPath(path));
            if (index.snapshots(source).isEmpty()) {
                throw new SnapshotNotFoundException("no files snapshot of source '" + source
                        + "'; list them with 'rk snapshots'");
            }
            List<FileVersion> versions = new ArrayList<>();
            String previous = null;
            for (PathIndex.Version v : index.versions(source, rel)) {
                String identity = v.type().equals("file") ? v.sha256() : v.type().equals("symlink") ? "->" + v.target()
                        : "dir";
                boolean changed = versions.isEmpty() || !Objects.equals(identity, previous);
                versions.add(new FileVersion(v.snapshot().id(), v.snapshot().time(), v.type(), v.size(), v.sha256(),
                        v.mtime() == null ? null : Instant.ofEpochSecond(0, v.mtime()), changed));
                previous = identity;
            }
            if (versions.isEmpty()) {
                throw new BadInputException("no snapshot of source '" + source + "' holds '" + rel
                        + "'; check the path with 'rk ls SNAPSHOT'");
            }
            return new Versions(source, rel, versions);
        } catch (IOException e) {
            throw new RkException(RestoreService.codeOf(e), "cannot list versions of '" + path + "': " + e, e);
        }
    }

    /** {@link #versions} of an absolute path: every snapshot opened (its root decides the relative path). */
    private Versions scan(String source, String path) throws IOException {
        {
            List<Snapshot> snapshots = repository.snapshots().stream()
                    .filter(s -> source.equals(s.source()) && "files".equals(s.kind()) && s.tree() != null)
                    .sorted(Comparator.comparing(Snapshot::time))
                    .toList();
            if (snapshots.isEmpty()) {
                throw new SnapshotNotFoundException("no files snapshot of source '" + source
                        + "'; list them with 'rk snapshots'");
            }
            TreeReader trees = new TreeReader(repository);
            List<FileVersion> versions = new ArrayList<>();
            String rel = null;
            String previous = null;
            for (Snapshot s : snapshots) {
                List<String> parts = RestoreService.relative(path, s);
                rel = String.join("/", parts);
                Optional<Node> found = trees.find(s.tree(), parts);
                if (found.isEmpty()) {
                    continue;
                }
                Node n = found.get();
                String identity = n.isFile() ? n.sha256() : n.isSymlink() ? "->" + n.target() : "dir";
                boolean changed = versions.isEmpty() || !Objects.equals(identity, previous);
                versions.add(new FileVersion(s.id(), s.time(), n.type().label(), n.sizeOrZero(), n.sha256(),
                        n.mtimeInstant(), changed));
                previous = identity;
            }
            if (versions.isEmpty()) {
                throw new BadInputException("no snapshot of source '" + source + "' holds '" + rel
                        + "'; check the path with 'rk ls SNAPSHOT'");
            }
            return new Versions(source, rel, versions);
        }
    }

    private static Entry entry(Node n, String path) {
        return new Entry(n.name(), path, n.type().label(), n.sizeOrZero(), n.modeOrDefault(), n.mtimeInstant(),
                n.user(), n.group(), n.target());
    }
}
