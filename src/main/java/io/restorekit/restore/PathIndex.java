package io.restorekit.restore;

import com.fasterxml.jackson.core.type.TypeReference;
import io.restorekit.common.AtomicFiles;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.Repository;
import io.restorekit.repository.Snapshot;
import io.restorekit.source.files.Node;
import io.restorekit.source.files.TreeReader;
import io.restorekit.storage.Kind;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Every stored version of every path of a files source, by path, so that {@code versions} and
 * {@code restore --at --file} answer without opening every snapshot's trees.
 *
 * <p>The index is a cache under {@code RK_HOME/cache/<repository id>/}, rebuilt from the
 * repository when missing, damaged or outdated: a new snapshot is added by walking only the
 * folders whose tree differs from the previous snapshot's; a snapshot that disappeared (forget)
 * makes it start over. Per path it keeps the distinct versions (type, size, SHA-256, mtime, link
 * target), each with the set of snapshots holding it. It holds paths and hashes in plaintext, as
 * the backed-up host itself does; the repository stays the only source of truth.
 */
public final class PathIndex {
    private static final int FORMAT = 1;
    private static final Map<Path, Loaded> LOADED = new ConcurrentHashMap<>();

    private final Repository repository;
    private final Path dir;

    /** @param cacheDir {@code RK_HOME/cache}; null keeps the index in this process only */
    public PathIndex(Repository repository, Path cacheDir) {
        this.repository = repository;
        this.dir = cacheDir == null ? null : cacheDir.resolve(repository.id().substring(0, 16));
    }

    /** One snapshot of the source as the index knows it. */
    public record SnapshotEntry(String id, Instant time, String root, BlobId tree) {
    }

    /** One path in one snapshot. */
    public record Version(SnapshotEntry snapshot, String type, long size, String sha256, Long mtime, String target) {
    }

    private record Ver(String type, long size, String sha256, Long mtime, String target, BitSet in) {
        boolean same(Node n) {
            return type.equals(n.type().label()) && size == n.sizeOrZero() && Objects.equals(sha256, n.sha256())
                    && Objects.equals(mtime, n.mtime()) && Objects.equals(target, n.target());
        }
    }

    /** The index of one source: its snapshots (ordinals), the last one's folders, and the versions by path. */
    private static final class State {
        final List<SnapshotEntry> snapshots = new ArrayList<>();
        final Map<String, String> lastDirs = new HashMap<>();
        final NavigableMap<String, List<Ver>> paths = new TreeMap<>();
        int last = -1;
    }

    private record Loaded(long modified, State state) {
    }

    /** Every version of {@code path} (relative, {@code /}-separated), oldest snapshot first. */
    public List<Version> versions(String source, String path) throws IOException {
        State s = state(source);
        List<Version> out = new ArrayList<>();
        for (Ver v : s.paths.getOrDefault(path, List.of())) {
            for (int i = v.in().nextSetBit(0); i >= 0; i = v.in().nextSetBit(i + 1)) {
                out.add(new Version(s.snapshots.get(i), v.type(), v.size(), v.sha256(), v.mtime(), v.target()));
            }
        }
        out.sort(Comparator.comparing((Version v) -> v.snapshot().time()).thenComparing(v -> v.snapshot().id()));
        return out;
    }

    /** The snapshots of the source, oldest first. */
    public List<SnapshotEntry> snapshots(String source) throws IOException {
        List<SnapshotEntry> out = new ArrayList<>(state(source).snapshots);
        out.sort(Comparator.comparing(SnapshotEntry::time).thenComparing(SnapshotEntry::id));
        return out;
    }

    /**
     * The newest files snapshot of {@code source} at or before {@code at} (any time when null), from the
     * cached manifests alone, without loading or updating the index of paths; null when there is none.
     * Of snapshots with the same time, the one {@link #newestHolding} would prefer.
     */
    public SnapshotEntry newest(String source, Instant at) throws IOException {
        return snapshotsOf(source).values().stream()
                .filter(e -> at == null || !e.time().isAfter(at))
                .min(Comparator.comparing(SnapshotEntry::time).reversed().thenComparing(SnapshotEntry::id))
                .orElse(null);
    }

    /** The newest snapshot at or before {@code at} (any time when null) holding every one of {@code paths}. */
    public SnapshotEntry newestHolding(String source, List<String> paths, Instant at) throws IOException {
        State s = state(source);
        BitSet all = new BitSet();
        all.set(0, s.snapshots.size());
        for (String p : paths) {
            BitSet holding = new BitSet();
            for (Ver v : s.paths.getOrDefault(p, List.of())) {
                holding.or(v.in());
            }
            all.and(holding);
        }
        SnapshotEntry best = null;
        for (int i = all.nextSetBit(0); i >= 0; i = all.nextSetBit(i + 1)) {
            SnapshotEntry e = s.snapshots.get(i);
            if ((at == null || !e.time().isAfter(at)) && (best == null || e.time().isAfter(best.time()))) {
                best = e;
            }
        }
        return best;
    }

    private synchronized State state(String source) throws IOException {
        Map<String, SnapshotEntry> current = snapshotsOf(source);
        Path file = dir == null ? null : dir.resolve("paths-" + source + ".idx");
        State s = load(file, source);
        boolean stale = s.snapshots.stream().anyMatch(e -> !current.containsKey(e.id()));
        if (stale) {
            s = new State();
        }
        Set<String> known = new HashSet<>();
        s.snapshots.forEach(e -> known.add(e.id()));
        List<SnapshotEntry> added = current.values().stream().filter(e -> !known.contains(e.id()))
                .sorted(Comparator.comparing(SnapshotEntry::time).thenComparing(SnapshotEntry::id)).toList();
        if (added.isEmpty() && !stale) {
            return s;
        }
        TreeReader trees = new TreeReader(repository, 512);
        for (SnapshotEntry e : added) {
            add(s, e, trees);
        }
        save(file, source, s);
        return s;
    }

    private void add(State s, SnapshotEntry e, TreeReader trees) throws IOException {
        int k = s.snapshots.size();
        s.snapshots.add(e);
        Map<String, String> dirs = new HashMap<>();
        walk(s, trees, e.tree(), "", k, dirs);
        s.lastDirs.clear();
        s.lastDirs.putAll(dirs);
        s.last = k;
    }

    private void walk(State s, TreeReader trees, BlobId tree, String prefix, int k, Map<String, String> dirs)
            throws IOException {
        for (Node n : trees.load(tree).nodes()) {
            if (n.type() == null) {
                continue;
            }
            String path = prefix.isEmpty() ? n.name() : prefix + "/" + n.name();
            addVersion(s, path, n, k);
            if (n.isDir() && n.subtree() != null) {
                String id = n.subtree().toString();
                dirs.put(path, id);
                if (s.last >= 0 && id.equals(s.lastDirs.get(path))) {
                    // The same folder as in the previous snapshot: everything below is, too.
                    for (Map.Entry<String, List<Ver>> below : s.paths.subMap(path + "/", true, path + "0", false)
                            .entrySet()) {
                        for (Ver v : below.getValue()) {
                            if (v.in().get(s.last)) {
                                v.in().set(k);
                            }
                        }
                    }
                    s.lastDirs.forEach((p, t) -> {
                        if (p.startsWith(path + "/")) {
                            dirs.put(p, t);
                        }
                    });
                } else {
                    walk(s, trees, n.subtree(), path, k, dirs);
                }
            }
        }
    }

    private static void addVersion(State s, String path, Node n, int k) {
        List<Ver> versions = s.paths.computeIfAbsent(path, p -> new ArrayList<>(1));
        for (Ver v : versions) {
            if (v.same(n)) {
                v.in().set(k);
                return;
            }
        }
        BitSet in = new BitSet();
        in.set(k);
        versions.add(new Ver(n.type().label(), n.sizeOrZero(), n.sha256(), n.mtime(), n.target(), in));
    }

    /** The files snapshots of {@code source}, loading only manifests the cache has not seen. */
    private Map<String, SnapshotEntry> snapshotsOf(String source) throws IOException {
        List<String> ids = new ArrayList<>();
        repository.storage().list(Kind.SNAPSHOT, f -> ids.add(f.handle().name()));
        Path file = dir == null ? null : dir.resolve("snapshots.json");
        Map<String, Meta> metas = new HashMap<>();
        if (file != null && Files.isRegularFile(file)) {
            try {
                metas.putAll(Repository.objectMapper().readValue(file.toFile(), new TypeReference<Map<String, Meta>>() {
                }));
            } catch (IOException damaged) {
                metas.clear();
            }
        }
        boolean changed = metas.keySet().retainAll(new HashSet<>(ids));
        for (String id : ids) {
            if (!metas.containsKey(id)) {
                Snapshot sn = repository.loadSnapshot(id);
                metas.put(id, new Meta(sn.source(), sn.kind(), sn.time(), sn.root(), sn.tree()));
                changed = true;
            }
        }
        if (changed && file != null) {
            AtomicFiles.write(file, Repository.objectMapper().writeValueAsBytes(metas));
        }
        Map<String, SnapshotEntry> out = new HashMap<>();
        metas.forEach((id, m) -> {
            if (source.equals(m.source()) && "files".equals(m.kind()) && m.tree() != null) {
                out.put(id, new SnapshotEntry(id, m.time(), m.root(), m.tree()));
            }
        });
        return out;
    }

    /** What the cache keeps of a snapshot manifest. */
    record Meta(String source, String kind, Instant time, String root, BlobId tree) {
    }

    private State load(Path file, String source) {
        if (file == null) {
            Loaded l = LOADED.get(Path.of("memory", repository.id(), source));
            return l == null ? new State() : l.state();
        }
        try {
            if (!Files.isRegularFile(file)) {
                return new State();
            }
            long modified = Files.getLastModifiedTime(file).toMillis();
            Loaded l = LOADED.get(file);
            if (l != null && l.modified() == modified) {
                return l.state();
            }
            State s = read(file);
            LOADED.put(file, new Loaded(modified, s));
            return s;
        } catch (IOException | RuntimeException damaged) {
            // A damaged cache is rebuilt from the repository.
            return new State();
        }
    }

    private void save(Path file, String source, State s) throws IOException {
        if (file == null) {
            LOADED.put(Path.of("memory", repository.id(), source), new Loaded(0, s));
            return;
        }
        AtomicFiles.write(file, raw -> {
            GZIPOutputStream gzip = new GZIPOutputStream(raw, 1 << 16);
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(gzip));
            write(out, s);
            out.flush();
            gzip.finish();
        });
        LOADED.put(file, new Loaded(Files.getLastModifiedTime(file).toMillis(), s));
    }

    private static void write(DataOutputStream out, State s) throws IOException {
        out.writeInt(FORMAT);
        out.writeInt(s.snapshots.size());
        for (SnapshotEntry e : s.snapshots) {
            out.writeUTF(e.id());
            out.writeLong(e.time().getEpochSecond());
            out.writeInt(e.time().getNano());
            out.writeUTF(e.root() == null ? "" : e.root());
            out.writeUTF(e.tree().toString());
        }
        out.writeInt(s.last);
        out.writeInt(s.lastDirs.size());
        for (Map.Entry<String, String> d : s.lastDirs.entrySet()) {
            out.writeUTF(d.getKey());
            out.writeUTF(d.getValue());
        }
        out.writeInt(s.paths.size());
        for (Map.Entry<String, List<Ver>> p : s.paths.entrySet()) {
            out.writeUTF(p.getKey());
            out.writeInt(p.getValue().size());
            for (Ver v : p.getValue()) {
                out.writeUTF(v.type());
                out.writeLong(v.size());
                out.writeUTF(v.sha256() == null ? "" : v.sha256());
                out.writeBoolean(v.mtime() != null);
                out.writeLong(v.mtime() == null ? 0 : v.mtime());
                out.writeUTF(v.target() == null ? "" : v.target());
                byte[] bits = v.in().toByteArray();
                out.writeInt(bits.length);
                out.write(bits);
            }
        }
    }

    private static State read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(raw, 1 << 16)))) {
            if (in.readInt() != FORMAT) {
                return new State();
            }
            State s = new State();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String id = in.readUTF();
                Instant time = Instant.ofEpochSecond(in.readLong(), in.readInt());
                String root = in.readUTF();
                s.snapshots.add(new SnapshotEntry(id, time, root.isEmpty() ? null : root, BlobId.parse(in.readUTF())));
            }
            s.last = in.readInt();
            int dirs = in.readInt();
            for (int i = 0; i < dirs; i++) {
                s.lastDirs.put(in.readUTF(), in.readUTF());
            }
            int paths = in.readInt();
            for (int i = 0; i < paths; i++) {
                String path = in.readUTF();
                int count = in.readInt();
                List<Ver> versions = new ArrayList<>(count);
                for (int j = 0; j < count; j++) {
                    String type = in.readUTF();
                    long size = in.readLong();
                    String sha = in.readUTF();
                    boolean hasMtime = in.readBoolean();
                    long mtime = in.readLong();
                    String target = in.readUTF();
                    byte[] bits = new byte[in.readInt()];
                    in.readFully(bits);
                    versions.add(new Ver(type, size, sha.isEmpty() ? null : sha, hasMtime ? mtime : null,
                            target.isEmpty() ? null : target, BitSet.valueOf(bits)));
                }
                s.paths.put(path, versions);
            }
            return s;
        }
    }
}
