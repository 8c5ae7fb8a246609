package io.restorekit.repository.index;

import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.pack.PackEntry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where every known blob is: blob id to pack, offset and lengths, one map per blob type. Pack ids
 * are interned in a list so an entry is a few ints. Thread-safe; readers never block.
 */
public final class MemoryIndex {
    private final List<String> packs = new ArrayList<>();
    private final Map<String, Integer> packNumbers = new HashMap<>();
    private final Map<BlobId, Location> data = new ConcurrentHashMap<>();
    private final Map<BlobId, Location> trees = new ConcurrentHashMap<>();

    private record Location(int pack, int offset, int storedLength, int rawLength) {
    }

    /** A blob found in the index. */
    public record Found(String packId, PackEntry entry) {
    }

    public void add(String packId, List<PackEntry> entries) {
        int number;
        synchronized (packs) {
            number = packNumbers.computeIfAbsent(packId, p -> {
                packs.add(p);
                return packs.size() - 1;
            });
        }
        for (PackEntry e : entries) {
            map(e.type()).putIfAbsent(e.id(), new Location(number, e.offset(), e.storedLength(), e.rawLength()));
        }
    }

    public void addAll(IndexFile file) {
        for (IndexFile.PackBlobs p : file.packs()) {
            add(p.packId(), p.entries());
        }
    }

    public boolean has(BlobType type, BlobId id) {
        return map(type).containsKey(id);
    }

    /** The blob's place, or null when the index does not know it. */
    public Found find(BlobType type, BlobId id) {
        Location l = map(type).get(id);
        if (l == null) {
            return null;
        }
        String packId;
        synchronized (packs) {
            packId = packs.get(l.pack());
        }
        return new Found(packId, new PackEntry(type, id, l.offset(), l.storedLength(), l.rawLength()));
    }

    public int size(BlobType type) {
        return map(type).size();
    }

    public int packCount() {
        synchronized (packs) {
            return packs.size();
        }
    }

    public void clear() {
        synchronized (packs) {
            data.clear();
            trees.clear();
            packs.clear();
            packNumbers.clear();
        }
    }

    private Map<BlobId, Location> map(BlobType type) {
        return type == BlobType.DATA ? data : trees;
    }
}
