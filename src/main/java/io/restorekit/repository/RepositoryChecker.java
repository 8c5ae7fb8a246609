package io.restorekit.repository;

import io.restorekit.common.ProgressListener;
import io.restorekit.repository.CheckReport.Finding;
import io.restorekit.repository.CheckReport.Severity;
import io.restorekit.repository.crypto.Sha256;
import io.restorekit.repository.index.IndexFile;
import io.restorekit.repository.pack.PackEntry;
import io.restorekit.repository.pack.PackHeader;
import io.restorekit.repository.pack.PackWriter;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;

import io.restorekit.common.Hex;

import javax.crypto.AEADBadTagException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Checks a repository's structure and, on request, every byte of its packs. */
final class RepositoryChecker {
    private static final int IO_PIECE = 1 << 20;
    // Per check, not per process: the arrays go with the checker.
    private final ThreadLocal<PackBuffer> packBuffers = ThreadLocal.withInitial(PackBuffer::new);

    private final Repository repo;
    private final List<Finding> findings = Collections.synchronizedList(new ArrayList<>());

    RepositoryChecker(Repository repo) {
        this.repo = repo;
    }

    CheckReport check(boolean readData, ProgressListener progress) throws IOException {
        Map<String, Long> packSizes = new TreeMap<>();
        for (FileInfo f : Repository.list(repo.storage, Kind.PACK)) {
            packSizes.put(f.handle().name(), f.size());
        }

        // Index files: every active one names packs that exist and are long enough.
        List<String> indexIds = Repository.list(repo.storage, Kind.INDEX).stream()
                .map(f -> f.handle().name()).sorted().toList();
        List<IndexFile> indexFiles = Repository.inParallel(indexIds, id -> {
            try {
                return repo.readIndexFileUncached(id);
            } catch (IOException | RuntimeException e) {
                error("index/" + id, "index file cannot be read: " + e.getMessage()
                        + "; 'rk index rebuild' recreates the index from the packs", Set.of());
                return null;
            }
        });
        Set<String> superseded = new HashSet<>();
        indexFiles.stream().filter(Objects::nonNull).forEach(f -> superseded.addAll(f.superseded()));
        Map<String, Map<BlobId, PackEntry>> indexed = new LinkedHashMap<>();
        long blobs = 0;
        for (int i = 0; i < indexIds.size(); i++) {
            IndexFile f = indexFiles.get(i);
            if (f == null || superseded.contains(indexIds.get(i))) {
                continue;
            }
            for (IndexFile.PackBlobs p : f.packs()) {
                Map<BlobId, PackEntry> entries = indexed.computeIfAbsent(p.packId(), k -> new LinkedHashMap<>());
                for (PackEntry e : p.entries()) {
                    entries.put(e.id(), e);
                }
            }
        }
        for (var pack : indexed.entrySet()) {
            blobs += pack.getValue().size();
            String path = packPath(pack.getKey());
            Long size = packSizes.get(pack.getKey());
            if (size == null) {
                error(path, "pack is missing, but the index names it", pack.getValue().keySet());
                continue;
            }
            Set<BlobId> beyond = pack.getValue().values().stream()
                    .filter(e -> (long) e.offset() + e.storedLength() > size - 4)
                    .map(PackEntry::id).collect(Collectors.toCollection(LinkedHashSet::new));
            if (!beyond.isEmpty()) {
                error(path, "pack has " + size + " bytes, too few for the " + beyond.size()
                        + " blobs the index places beyond its end (truncated)", beyond);
            }
        }
        // Packs prune marked are out of the index on purpose, until a later prune deletes them.
        Set<String> marked = repo.packsAwaitingDeletion().keySet();
        for (String pack : packSizes.keySet()) {
            if (!indexed.containsKey(pack) && !marked.contains(pack)) {
                warning(packPath(pack), "unreferenced pack, probably from an interrupted backup;"
                        + " 'rk index rebuild' makes its blobs usable again, 'rk prune' deletes it", Set.of());
            }
        }

        // Dictionaries: each is intact. Frames naming one that is missing fail with --read-data.
        for (FileInfo f : Repository.list(repo.storage, Kind.DICT)) {
            String name = f.handle().name();
            try {
                Dictionaries.open(repo, name, repo.storage.readAll(f.handle()));
            } catch (IOException | RuntimeException e) {
                error("dicts/" + name, e.getMessage() + "; small files stored with it cannot be restored",
                        Set.of());
            }
        }

        // Snapshots: each decrypts, and its root tree is indexed.
        List<String> snapshotIds = Repository.list(repo.storage, Kind.SNAPSHOT).stream()
                .map(f -> f.handle().name()).sorted().toList();
        Repository.inParallel(snapshotIds, id -> {
            try {
                Snapshot s = repo.loadSnapshotById(id);
                if (s.tree() != null && indexed.values().stream().noneMatch(m -> m.containsKey(s.tree()))
                        && !repo.canRead(BlobType.TREE, s.tree())) {
                    error("snapshots/" + id, "the snapshot's root tree blob " + s.tree() + " is in no index",
                            Set.of(s.tree()));
                }
            } catch (IOException | RuntimeException e) {
                error("snapshots/" + id, "snapshot cannot be read: " + e.getMessage(), Set.of());
            }
            return null;
        });

        long bytesRead = 0;
        if (readData) {
            List<String> toRead = new ArrayList<>(packSizes.keySet());
            long total = packSizes.values().stream().mapToLong(Long::longValue).sum();
            progress.total(total, toRead.size());
            // Reading every byte is bound by decryption and hashing: one pack per core (and one
            // more to hide the read) keeps the cores busy without holding 8 packs in memory.
            int threads = Runtime.getRuntime().availableProcessors() + 1;
            List<Long> read = Repository.inParallel(toRead, threads, id -> {
                long n = readPack(id, packSizes.get(id), indexed.getOrDefault(id, Map.of()));
                progress.advance(n, 1);
                return n;
            });
            bytesRead = read.stream().mapToLong(Long::longValue).sum();
        }
        List<Finding> sorted = new ArrayList<>(findings);
        sorted.sort((a, b) -> a.severity() != b.severity() ? a.severity().compareTo(b.severity())
                : a.object().compareTo(b.object()));
        return new CheckReport(sorted, packSizes.size(), indexIds.size(), snapshotIds.size(), blobs, bytesRead);
    }

    private long readPack(String id, long size, Map<BlobId, PackEntry> indexedEntries) throws IOException {
        String path = packPath(id);
        if (size > Integer.MAX_VALUE - 16) {
            error(path, "pack of " + size + " bytes is too large to be a pack", indexedEntries.keySet());
            return 0;
        }
        Handle handle = new Handle(Kind.PACK, id);
        // Every byte of a pack lies in one seal: its blobs fill it up to the sealed header
        // (PackHeader.checkFits), and the last 4 bytes give the header's length. So a pack whose
        // header and blobs all authenticate is, byte for byte, the pack its writer sealed, and
        // hashing it again to compare with its name (SHA-256 over every byte, a sixth of a
        // read-data verify's CPU) finds nothing more. A genuine pack saved under another pack's
        // name lists other blobs than the index places there: reported below. The name is only
        // checked to tell, for a pack that fails, whether the damage happened in storage.
        List<PackEntry> header;
        try {
            header = PackHeader.read(repo.storage, handle, size, repo.sealer);
        } catch (IOException | AEADBadTagException e) {
            Boolean named = matchesName(handle, size, id);
            if (named == null) {
                error(path, "pack cannot be read: " + e.getMessage(), indexedEntries.keySet());
                return 0;
            }
            error(path, "pack header cannot be read (" + e.getMessage() + ")"
                    + (named ? "" : "; the pack does not match its name (SHA-256): it is damaged"),
                    indexedEntries.keySet());
            return size;
        }
        Map<BlobId, PackEntry> inHeader = new LinkedHashMap<>();
        header.forEach(e -> inHeader.put(e.id(), e));
        Set<BlobId> disagree = new LinkedHashSet<>();
        for (PackEntry e : indexedEntries.values()) {
            if (!e.equals(inHeader.get(e.id()))) {
                disagree.add(e.id());
            }
        }
        if (!disagree.isEmpty()) {
            error(path, "the index places " + disagree.size() + " blobs differently from the pack header;"
                    + " 'rk index rebuild' recreates the index from the packs", disagree);
        }
        // The blobs, read in one pass from the start of the pack through a window of a few MiB
        // (grown for a larger blob): a verify thread holds that, not a whole 16 MiB pack, and the
        // bytes are still copied once, from storage into the window where they are decoded.
        PackBuffer buffer = packBuffers.get();
        Set<BlobId> bad = new LinkedHashSet<>();
        Map<String, Set<BlobId>> noDictionary = new TreeMap<>();
        long blobBytes = header.stream().mapToLong(PackEntry::storedLength).sum();
        try (InputStream in = repo.storage.open(handle, 0, blobBytes)) {
            int start = 0;
            int end = 0;
            for (PackEntry e : header) {
                int need = e.storedLength();
                if (end - start < need) {
                    byte[] window = buffer.window(need);
                    System.arraycopy(buffer.window, start, window, 0, end - start);
                    buffer.window = window;
                    end -= start;
                    start = 0;
                    while (end < need) {
                        int n = in.read(window, end, window.length - end);
                        if (n < 0) {
                            throw new IOException("it ends " + (need - end) + " bytes before the blobs its header"
                                    + " lists end");
                        }
                        end += n;
                    }
                }
                try {
                    repo.decodeInto(id, e, buffer.window, start, buffer.blobs, (data, off, len) -> { });
                } catch (Dictionaries.MissingDictionaryException missing) {
                    noDictionary.computeIfAbsent(missing.dictionary(), k -> new LinkedHashSet<>()).add(e.id());
                } catch (RepositoryCorruptException damaged) {
                    bad.add(e.id());
                }
                start += need;
            }
        } catch (IOException e) {
            error(path, "pack cannot be read: " + e.getMessage(), indexedEntries.keySet());
            return 0;
        }
        noDictionary.forEach((dictionary, blobs) -> error(path, blobs.size() + " of its " + header.size()
                + " blobs are compressed with zstd dictionary " + dictionary + ", which the repository does not hold"
                + " intact under dicts/: they cannot be restored; a copy of the repository has it", blobs));
        if (!bad.isEmpty()) {
            error(path, "pack is damaged: " + bad.size() + " of its " + header.size() + " blobs fail authentication"
                    + " or do not match their id (" + bad.stream().map(BlobId::shortHex).collect(Collectors.joining(", "))
                    + ")" + (Boolean.TRUE.equals(matchesName(handle, size, id)) ? "; the pack matches its name (SHA-256),"
                    + " so it was saved as written: the damage came before it was saved" : ""), bad);
        }
        return size;
    }

    /** Whether the stored pack's SHA-256 is its name, read in pieces; null when it cannot be read. */
    private Boolean matchesName(Handle handle, long size, String id) {
        byte[] piece = new byte[IO_PIECE];
        Sha256.Stream sha = Sha256.stream();
        try (InputStream in = repo.storage.open(handle, 0, size)) {
            for (int n; (n = in.read(piece)) > 0; ) {
                sha.update(piece, 0, n);
            }
        } catch (IOException e) {
            return null;
        }
        return Hex.encode(sha.digest()).equals(id);
    }

    /** A verify thread's working arrays: the window of the pack being read, and those blobs are decoded in. */
    private static final class PackBuffer {
        private static final int WINDOW = 4 << 20;
        private byte[] window = new byte[0];
        private final Repository.BlobBuffers blobs = new Repository.BlobBuffers();

        /**
         * The array to hold a blob of {@code size} bytes with room to read ahead: the current
         * window, or a larger one (the caller moves what it holds into it).
         */
        byte[] window(int size) {
            int want = Math.max(WINDOW, PackWriter.roomy(size) + IO_PIECE);
            return window.length >= want ? window : new byte[want];
        }
    }

    private static String packPath(String id) {
        return new Handle(Kind.PACK, id).path();
    }

    private void error(String object, String message, Set<BlobId> blobs) {
        findings.add(new Finding(Severity.ERROR, object, message, blobs));
    }

    private void warning(String object, String message, Set<BlobId> blobs) {
        findings.add(new Finding(Severity.WARNING, object, message, blobs));
    }
}
