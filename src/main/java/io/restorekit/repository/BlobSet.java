package io.restorekit.repository;

/**
 * A compact set of blob ids for prune: open addressing over a {@code long[]}, 16 bytes per id (its
 * first 128 bits) at a load of at most 2/3, so a million blobs take about 24 MiB and no object per
 * id. Two ids that share their first 128 bits count as one: prune may then keep a blob it could
 * delete, never the reverse. Not thread-safe.
 */
public final class BlobSet {
    private long[] table;
    private int size;

    public BlobSet() {
        this(1 << 10);
    }

    public BlobSet(int expected) {
        int slots = Integer.highestOneBit(Math.max(16, expected * 3 / 2)) << 1;
        table = new long[slots * 2];
    }

    /** Adds {@code id}; false when it was there already. */
    public boolean add(BlobId id) {
        if ((size + 1) * 3L > (table.length / 2) * 2L) {
            grow();
        }
        return insert(table, id.a(), id.b());
    }

    public boolean contains(BlobId id) {
        long a = id.a();
        long b = id.b();
        int mask = table.length / 2 - 1;
        for (int slot = mix(a, b) & mask; ; slot = (slot + 1) & mask) {
            long x = table[2 * slot];
            long y = table[2 * slot + 1];
            if (x == 0 && y == 0) {
                return a == 0 && b == 0 && zeroPresent;
            }
            if (x == a && y == b) {
                return true;
            }
        }
    }

    public int size() {
        return size;
    }

    /** Bytes the table takes. */
    public long footprint() {
        return table.length * 8L;
    }

    private boolean zeroPresent;

    private boolean insert(long[] t, long a, long b) {
        if (a == 0 && b == 0) {
            if (zeroPresent) {
                return false;
            }
            zeroPresent = true;
            size++;
            return true;
        }
        int mask = t.length / 2 - 1;
        for (int slot = mix(a, b) & mask; ; slot = (slot + 1) & mask) {
            long x = t[2 * slot];
            long y = t[2 * slot + 1];
            if (x == 0 && y == 0) {
                t[2 * slot] = a;
                t[2 * slot + 1] = b;
                if (t == table) {
                    size++;
                }
                return true;
            }
            if (x == a && y == b) {
                return false;
            }
        }
    }

    private void grow() {
        long[] old = table;
        long[] bigger = new long[old.length * 2];
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != 0 || old[i + 1] != 0) {
                insert(bigger, old[i], old[i + 1]);
            }
        }
        table = bigger;
    }

    private static int mix(long a, long b) {
        // Blob ids are uniformly random already (HMAC output): their bits are a good hash.
        return (int) (a ^ (a >>> 32) ^ b);
    }
}
