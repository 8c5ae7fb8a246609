package io.restorekit.repository;

import io.restorekit.common.ProgressListener;
import io.restorekit.repository.index.IndexFile;
import io.restorekit.repository.pack.PackEntry;
import io.restorekit.repository.pack.PackHeader;
import io.restorekit.repository.pack.PackWriter;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.ObjectExistsException;

import javax.crypto.AEADBadTagException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prune in two phases (docs/repository-format.md §9a). A pack no snapshot needs (or a mostly
 * unused one, after its used blobs were copied into new packs) is first taken out of the index
 * and marked; a prune at least a grace period later deletes it, unless a snapshot written since
 * needs one of its blobs, in which case it is indexed again. Every step leaves a repository that
 * verifies: new packs before the index that names them, the index that no longer names a pack
 * before the pack is deleted, marks removed last.
 */
final class Pruner {
    /** About 40 MiB of index entries kept between the two passes. */
    private static final long KEEP_ENTRIES = 500_000;

    private final Repository repo;
    private final List<String> warnings = new ArrayList<>();

    Pruner(Repository repo) {
        this.repo = repo;
    }

    private static final class PackStats {
        int blobs;
        int used;
        long blobBytes;
        long usedBytes;
    }

    PruneReport prune(BlobSet used, PruneOptions o, ProgressListener progress) throws IOException {
        Instant now = repo.clock.instant();
        boolean immediate = o.grace().isZero() || o.grace().isNegative();
        Map<String, Long> packSizes = new HashMap<>();
        for (FileInfo f : Repository.list(repo.storage, Kind.PACK)) {
            packSizes.put(f.handle().name(), f.size());
        }
        long packBytes = packSizes.values().stream().mapToLong(Long::longValue).sum();

        // Pass 1: which index files are active, and how much of each pack they name is used.
        List<String> indexIds = Repository.list(repo.storage, Kind.INDEX).stream().map(f -> f.handle().name())
                .sorted().toList();
        Set<String> superseded = new HashSet<>();
        Map<String, Map<String, PackStats>> statsByFile = new LinkedHashMap<>();
        // Index files are kept from the first pass to the second while their entries stay few;
        // beyond that the second pass reads them again, so memory stays bounded.
        Map<String, IndexFile> kept = new HashMap<>();
        long keptEntries = 0;
        progress.total(-1, indexIds.size());
        // Index files are read a few dozen at a time, in parallel; only the per-pack counts stay.
        for (List<String> chunk : chunks(indexIds)) {
            List<Object[]> read = Repository.inParallel(chunk, id -> {
                IndexFile file = readIndex(id);
                Map<String, PackStats> stats = new LinkedHashMap<>();
                for (IndexFile.PackBlobs p : file.packs()) {
                    PackStats st = stats.computeIfAbsent(p.packId(), k -> new PackStats());
                    for (PackEntry e : p.entries()) {
                        st.blobs++;
                        st.blobBytes += e.storedLength();
                        if (used.contains(e.id())) {
                            st.used++;
                            st.usedBytes += e.storedLength();
                        }
                    }
                }
                return new Object[] {file.superseded(), stats, file};
            });
            for (int i = 0; i < chunk.size(); i++) {
                @SuppressWarnings("unchecked")
                List<String> sup = (List<String>) read.get(i)[0];
                @SuppressWarnings("unchecked")
                Map<String, PackStats> stats = (Map<String, PackStats>) read.get(i)[1];
                superseded.addAll(sup);
                statsByFile.put(chunk.get(i), stats);
                IndexFile file = (IndexFile) read.get(i)[2];
                if (keptEntries + file.blobCount() <= KEEP_ENTRIES) {
                    kept.put(chunk.get(i), file);
                    keptEntries += file.blobCount();
                }
            }
            progress.advance(0, chunk.size());
        }
        List<String> active = indexIds.stream().filter(id -> !superseded.contains(id)).toList();
        List<String> stale = indexIds.stream().filter(superseded::contains).toList();
        Map<String, PackStats> indexed = new LinkedHashMap<>();
        for (String id : active) {
            statsByFile.get(id).forEach(indexed::putIfAbsent);
        }
        statsByFile.clear();

        Marks marks = new Marks(repo);
        List<Marks.Mark> allMarks = marks.list();
        List<Marks.Mark> due = allMarks.stream().filter(m -> !m.time().plus(o.grace()).isAfter(now)).toList();
        List<Marks.Mark> pending = allMarks.stream().filter(m -> m.time().plus(o.grace()).isAfter(now)).toList();
        Set<String> dueMarked = new HashSet<>();
        due.forEach(m -> dueMarked.addAll(m.packs()));
        Set<String> pendingMarked = new HashSet<>();
        pending.forEach(m -> pendingMarked.addAll(m.packs()));

        // Decide for every indexed pack.
        Set<String> drop = new LinkedHashSet<>();
        Set<String> delete = new LinkedHashSet<>();
        Set<String> mark = new LinkedHashSet<>();
        Set<String> repack = new LinkedHashSet<>();
        long unusedBlobs = 0;
        for (Map.Entry<String, PackStats> e : indexed.entrySet()) {
            String pack = e.getKey();
            PackStats s = e.getValue();
            unusedBlobs += s.blobs - s.used;
            if (!packSizes.containsKey(pack)) {
                warnings.add("pack " + pack + " is named by the index but missing; run 'rk verify'");
                continue;
            }
            boolean unusedShare = s.blobBytes > 0 && s.used < s.blobs
                    && (s.blobBytes - s.usedBytes) >= o.repackThreshold() * s.blobBytes;
            if (s.used == 0 || unusedShare) {
                if (s.used > 0) {
                    repack.add(pack);
                }
                drop.add(pack);
                (immediate || dueMarked.contains(pack) ? delete : mark).add(pack);
            }
        }

        // Pass 2: the used blobs that stay in kept packs, the entries of packs to repack, and the kept
        // packs of index files that name a dropped pack (those files are replaced).
        BlobSet covered = new BlobSet(Math.max(16, used.size()));
        Map<String, List<PackEntry>> repackEntries = new LinkedHashMap<>();
        Map<String, List<PackEntry>> droppedEntries = new LinkedHashMap<>();
        Map<String, IndexFile.PackBlobs> keptOfReplaced = new LinkedHashMap<>();
        List<String> replaced = new ArrayList<>();
        for (List<String> chunk : chunks(active)) {
            List<IndexFile> files = Repository.inParallel(chunk,
                    id -> kept.containsKey(id) ? kept.get(id) : readIndex(id));
            for (int i = 0; i < chunk.size(); i++) {
                String id = chunk.get(i);
                IndexFile file = files.get(i);
                boolean affected = file.packs().stream().anyMatch(p -> drop.contains(p.packId()));
                if (affected) {
                    replaced.add(id);
                }
                for (IndexFile.PackBlobs p : file.packs()) {
                    if (drop.contains(p.packId())) {
                        if (repack.contains(p.packId())) {
                            repackEntries.putIfAbsent(p.packId(), p.entries());
                        }
                        droppedEntries.putIfAbsent(p.packId(), p.entries());
                        continue;
                    }
                    if (affected) {
                        keptOfReplaced.putIfAbsent(p.packId(), p);
                    }
                    for (PackEntry entry : p.entries()) {
                        if (used.contains(entry.id())) {
                            covered.add(entry.id());
                        }
                    }
                }
            }
        }

        // Packs no active index names: marked ones awaiting their time, orphans (interrupted runs),
        // and marked ones now due. Any that holds a needed blob found nowhere else is indexed again.
        List<IndexFile.PackBlobs> rescued = new ArrayList<>();
        for (Map.Entry<String, Long> p : new java.util.TreeMap<>(packSizes).entrySet()) {
            String pack = p.getKey();
            if (indexed.containsKey(pack) || (pendingMarked.contains(pack) && !dueMarked.contains(pack))) {
                continue;
            }
            List<PackEntry> entries;
            try {
                entries = PackHeader.read(repo.storage, new Handle(Kind.PACK, pack), p.getValue(), repo.sealer);
            } catch (IOException | AEADBadTagException | RuntimeException e) {
                warnings.add("pack " + pack + " is in no index and its header cannot be read (" + e.getMessage()
                        + "); left in place");
                continue;
            }
            boolean needed = entries.stream().anyMatch(e -> used.contains(e.id()) && !covered.contains(e.id()));
            if (needed) {
                rescued.add(new IndexFile.PackBlobs(pack, entries));
                entries.stream().filter(e -> used.contains(e.id())).forEach(e -> covered.add(e.id()));
            } else {
                (immediate || dueMarked.contains(pack) ? delete : mark).add(pack);
                droppedEntries.put(pack, entries);
            }
        }

        // Packs under Object Lock retention cannot be deleted yet: they stay marked for a later prune
        // (and are retried then; only the ones found locked now are counted).
        int locked = 0;
        if (repo.storage.supportsRetention()) {
            for (String pack : List.copyOf(delete)) {
                Instant until = repo.storage.retainUntil(new Handle(Kind.PACK, pack));
                if (until != null && until.isAfter(now)) {
                    delete.remove(pack);
                    mark.add(pack);
                    locked++;
                }
            }
        }

        long repackedBytes = 0;
        List<IndexFile.PackBlobs> newPacks = new ArrayList<>();
        if (o.dryRun()) {
            for (String pack : repack) {
                repackedBytes += indexed.get(pack).usedBytes;
            }
        } else {
            repackedBytes = repack(repackEntries, used, covered, newPacks, delete, mark, drop);
        }

        long deletedBytes = 0;
        long markedBytes = 0;
        int lockedLate = 0;
        for (String pack : delete) {
            deletedBytes += packSizes.getOrDefault(pack, 0L);
        }
        for (String pack : mark) {
            markedBytes += packSizes.getOrDefault(pack, 0L);
        }
        if (!o.dryRun()) {
            if (!mark.isEmpty()) {
                List<IndexFile.PackBlobs> marked = new ArrayList<>();
                for (String pack : mark) {
                    marked.add(new IndexFile.PackBlobs(pack, droppedEntries.getOrDefault(pack, List.of())));
                }
                marks.write(now, marked);
            }
            List<IndexFile.PackBlobs> packs = new ArrayList<>(keptOfReplaced.values());
            packs.addAll(newPacks);
            packs.addAll(rescued);
            if (!replaced.isEmpty() || !packs.isEmpty()) {
                repo.saveIndexFile(new IndexFile(replaced, packs));
            }
            List<String> obsolete = new ArrayList<>(replaced);
            obsolete.addAll(stale);
            for (String id : obsolete) {
                removeUnlessRetained(new Handle(Kind.INDEX, id), now);
            }
            for (String pack : delete) {
                if (!removeUnlessRetained(new Handle(Kind.PACK, pack), now)) {
                    lockedLate++;
                    deletedBytes -= packSizes.getOrDefault(pack, 0L);
                }
            }
            for (Marks.Mark m : due) {
                repo.storage.remove(new Handle(Kind.MARK, m.id()));
            }
        }
        int pendingCount = pending.size() + (mark.isEmpty() ? 0 : 1);
        Instant next = pending.stream().map(m -> m.time().plus(o.grace())).min(Instant::compareTo)
                .orElse(mark.isEmpty() ? null : now.plus(o.grace()));
        long bytesAfter = packBytes - deletedBytes + repackedBytes;
        return new PruneReport(o.dryRun(), packSizes.size(), packBytes, used.size(), unusedBlobs,
                delete.size() - lockedLate, deletedBytes, repack.size(), repackedBytes, mark.size(), markedBytes,
                rescued.size(), locked + lockedLate, replaced.size(), pendingCount, next, bytesAfter, warnings);
    }

    /**
     * Copies the needed blobs of {@code packs} into new packs, as stored (still sealed) after checking
     * that each decrypts to its id. A pack with a damaged needed blob is not dropped after all.
     */
    private long repack(Map<String, List<PackEntry>> packs, BlobSet used, BlobSet covered,
                        List<IndexFile.PackBlobs> out, Set<String> delete, Set<String> mark, Set<String> drop)
            throws IOException {
        Map<BlobType, PackWriter> writers = new EnumMap<>(BlobType.class);
        long written = 0;
        for (Map.Entry<String, List<PackEntry>> p : packs.entrySet()) {
            String pack = p.getKey();
            byte[] bytes = repo.storage.readAll(new Handle(Kind.PACK, pack));
            List<PackEntry> take = new ArrayList<>();
            boolean damaged = false;
            for (PackEntry e : p.getValue()) {
                if (!used.contains(e.id()) || covered.contains(e.id())) {
                    continue;
                }
                try {
                    repo.decodeBlob(pack, e, bytes, e.offset());
                    take.add(e);
                } catch (RepositoryCorruptException | ArrayIndexOutOfBoundsException bad) {
                    damaged = true;
                }
            }
            if (damaged) {
                warnings.add("pack " + pack + " holds damaged blobs that snapshots need; it is not repacked"
                        + " ('rk verify --read-data' says what they affect)");
                delete.remove(pack);
                mark.remove(pack);
                drop.remove(pack);
                out.add(new IndexFile.PackBlobs(pack, p.getValue()));
                continue;
            }
            for (PackEntry e : take) {
                covered.add(e.id());
                PackWriter w = writers.computeIfAbsent(e.type(), t -> new PackWriter(t, repo.config.packSize()));
                byte[] sealed = java.util.Arrays.copyOfRange(bytes, e.offset(), e.offset() + e.storedLength());
                w.add(e.id(), sealed, e.rawLength());
                if (w.size() >= repo.config.packSize()) {
                    written += store(w, out);
                    writers.remove(e.type());
                }
            }
        }
        for (PackWriter w : writers.values()) {
            if (!w.isEmpty()) {
                written += store(w, out);
            }
        }
        return written;
    }

    private long store(PackWriter w, List<IndexFile.PackBlobs> out) throws IOException {
        PackWriter.FinishedPack pack = w.finish(repo.sealer);
        try {
            repo.storage.save(new Handle(Kind.PACK, pack.id()), pack.payload());
        } catch (ObjectExistsException same) {
            // the same content is stored already
        }
        out.add(new IndexFile.PackBlobs(pack.id(), pack.entries()));
        return pack.length();
    }

    /** Removes the object unless it is under Object Lock retention; returns whether it was removed. */
    private boolean removeUnlessRetained(Handle handle, Instant now) throws IOException {
        if (repo.storage.supportsRetention()) {
            Instant until = repo.storage.retainUntil(handle);
            if (until != null && until.isAfter(now)) {
                warnings.add(handle + " is under Object Lock retention until " + until + "; left in place");
                return false;
            }
        }
        repo.storage.remove(handle);
        return true;
    }

    private static List<List<String>> chunks(List<String> ids) {
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i += 64) {
            out.add(ids.subList(i, Math.min(ids.size(), i + 64)));
        }
        return out;
    }

    private IndexFile readIndex(String id) throws IOException {
        try {
            return repo.readIndexFile(id);
        } catch (IOException | RepositoryCorruptException e) {
            throw new RepositoryCorruptException("index file " + id + " of repository '" + repo.storage.location()
                    + "' cannot be read (" + e.getMessage() + "); prune cannot tell what it may delete. Run"
                    + " 'rk verify', then 'rk index rebuild', and prune again");
        }
    }
}
