package io.restorekit.source.mysql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tenant of every row of a parent table, by the row's integer primary key: filled while the
 * parent is dumped, so that a child table reaching its tenant through a foreign key is read
 * plainly and finds each row's tenant here instead of in a server-side join. Tenants are kept
 * once, as their row text; per row only a key and a small ordinal: when the keys are dense (an
 * AUTO_INCREMENT column) an array indexed by the key, 1, 2 or 4 bytes a row by the number of
 * tenants; otherwise an open-addressing table of keys and ordinals. A row whose tenant is SQL
 * NULL is not stored: a missing key and a NULL tenant read alike, as in a LEFT JOIN.
 */
final class TenantKeys {
    private static final byte[] NULL = {'\\', 'N'};

    private final byte[][] tenants;
    /** Dense: slot {@code key - min}; sparse: the slot's key. Value 0: no row; else ordinal + 1. */
    private final long min;
    private final long[] slotKeys;
    private final int mask;
    private final Ordinals values;
    private final int size;

    private TenantKeys(byte[][] tenants, long min, long[] slotKeys, Ordinals values, int size) {
        this.tenants = tenants;
        this.min = min;
        this.slotKeys = slotKeys;
        this.mask = slotKeys == null ? 0 : slotKeys.length - 1;
        this.values = values;
        this.size = size;
    }

    /** Rows with a tenant. */
    int size() {
        return size;
    }

    /** Whether the keys are held in an array indexed by the key (rather than a hash table). */
    boolean dense() {
        return slotKeys == null;
    }

    /** The tenant's row text of the row with this key; {@code \N} when there is no such row or its tenant is NULL. */
    byte[] tenant(long key) {
        int v;
        if (slotKeys == null) {
            long i = key - min;
            v = i < 0 || i >= values.length() ? 0 : values.get((int) i);
        } else {
            int i = slot(key, mask);
            while (true) {
                v = values.get(i);
                if (v == 0 || slotKeys[i] == key) {
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        return v == 0 ? NULL : tenants[v - 1];
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29) ^ (h >>> 41)) & mask;
    }

    /**
     * The integer written at {@code row[from, to)} in row text (decimal digits, maybe a minus);
     * values past {@code Long.MAX_VALUE} (BIGINT UNSIGNED) wrap around, which keeps them distinct.
     */
    static long parse(byte[] row, int from, int to) {
        boolean negative = from < to && row[from] == '-';
        long v = 0;
        for (int i = negative ? from + 1 : from; i < to; i++) {
            v = v * 10 + (row[i] - '0');
        }
        return negative ? -v : v;
    }

    /** Whether {@code row[from, to)} is {@code \N}. */
    static boolean isNull(byte[] row, int from, int to) {
        return to - from == 2 && row[from] == '\\' && row[from + 1] == 'N';
    }

    /**
     * Bytes the key maps of one backup may take together (the builders' arrays while their tables
     * are dumped, then the maps until the backup ends). A map that would pass it is given up, and
     * its parent's children are read with the server-side join instead.
     */
    static final class Budget {
        private final AtomicLong left;

        Budget(long bytes) {
            left = new AtomicLong(bytes);
        }

        boolean take(long bytes) {
            if (left.addAndGet(-bytes) >= 0) {
                return true;
            }
            left.addAndGet(bytes);
            return false;
        }

        void giveBack(long bytes) {
            left.addAndGet(bytes);
        }
    }

    /** Bytes per row of a builder's arrays: a long key and an int ordinal. */
    private static final int BUILDER_ROW = 12;
    /**
     * Rows per segment of a builder's arrays: 1 MiB of keys and 512 KiB of ordinals. A builder
     * grows by segments instead of copying its arrays into larger ones: a 1 M-row parent table
     * whose row estimate was a little short allocated 30 MB of arrays for 12 MB of keys.
     */
    private static final int SHIFT = 17;
    private static final int SEGMENT = 1 << SHIFT;

    /**
     * Collects (key, tenant) pairs as a table is streamed; {@link #build()} makes the lookup, or
     * gives up when the budget cannot hold it.
     */
    static final class Builder {
        private final List<byte[]> tenants = new ArrayList<>();
        private final Budget budget;
        private int[] dictionary = new int[64];
        private int[] hashes = new int[0];
        /** Row {@code i} is at {@code [i >>> SHIFT][i & (SEGMENT - 1)]}; null once the map is given up. */
        private long[][] keys;
        private int[][] ordinals;
        private int size;
        /** Rows the budget holds for this builder ({@link #BUILDER_ROW} bytes each). */
        private long reserved;

        /** @param expectedRows how many rows to reserve room for at first (more is reserved as needed) */
        Builder(long expectedRows, Budget budget) {
            this.budget = budget;
            if (reserve(Math.max(16, Math.min(expectedRows, 1 << 24)))) {
                keys = new long[0][];
                ordinals = new int[0][];
            }
        }

        private boolean reserve(long rows) {
            if (budget.take(rows * BUILDER_ROW)) {
                reserved += rows;
                return true;
            }
            giveUp();
            return false;
        }

        private void giveUp() {
            budget.giveBack(reserved * BUILDER_ROW);
            reserved = 0;
            keys = null;
            ordinals = null;
        }

        /** Whether the map was given up (the budget could not hold it). */
        boolean givenUp() {
            return keys == null;
        }

        /** Records that the row with {@code key} has the tenant written at {@code row[from, to)} ({@code \N}: none). */
        void add(long key, byte[] row, int from, int to) {
            if (keys == null || isNull(row, from, to)) {
                return;
            }
            if (size == reserved && !reserve((reserved >> 1) + 16)) {
                return;
            }
            int s = size >>> SHIFT;
            int i = size & (SEGMENT - 1);
            if (s == keys.length || i == keys[s].length) {
                room(s, i);
            }
            keys[s][i] = key;
            ordinals[s][i] = ordinal(row, from, to);
            size++;
        }

        /**
         * Makes room for row {@code i} of segment {@code s}: a new segment, or the last one grown,
         * each as large as the rows reserved (a small table's arrays stay small), at most a segment.
         */
        private void room(int s, int i) {
            int length = (int) Math.min(SEGMENT, Math.max(2L * i, reserved - ((long) s << SHIFT)));
            if (s == keys.length) {
                keys = Arrays.copyOf(keys, s + 1);
                ordinals = Arrays.copyOf(ordinals, s + 1);
                keys[s] = new long[length];
                ordinals[s] = new int[length];
            } else {
                keys[s] = Arrays.copyOf(keys[s], length);
                ordinals[s] = Arrays.copyOf(ordinals[s], length);
            }
        }

        private long key(int i) {
            return keys[i >>> SHIFT][i & (SEGMENT - 1)];
        }

        private int ordinalOf(int i) {
            return ordinals[i >>> SHIFT][i & (SEGMENT - 1)];
        }

        /** The ordinal of a tenant's text, added to the dictionary when new. */
        private int ordinal(byte[] row, int from, int to) {
            int hash = 1;
            for (int i = from; i < to; i++) {
                hash = 31 * hash + row[i];
            }
            int mask = dictionary.length - 1;
            int i = (hash ^ (hash >>> 16)) & mask;
            for (int v; (v = dictionary[i]) != 0; i = (i + 1) & mask) {
                byte[] t = tenants.get(v - 1);
                if (hashes[v - 1] == hash && Arrays.equals(t, 0, t.length, row, from, to)) {
                    return v - 1;
                }
            }
            tenants.add(Arrays.copyOfRange(row, from, to));
            if (hashes.length < tenants.size()) {
                hashes = Arrays.copyOf(hashes, Math.max(16, hashes.length * 2));
            }
            hashes[tenants.size() - 1] = hash;
            dictionary[i] = tenants.size();
            if (tenants.size() * 2 > dictionary.length) {
                int[] bigger = new int[dictionary.length * 2];
                int m = bigger.length - 1;
                for (int v = 1; v <= tenants.size(); v++) {
                    int h = hashes[v - 1];
                    int j = (h ^ (h >>> 16)) & m;
                    while (bigger[j] != 0) {
                        j = (j + 1) & m;
                    }
                    bigger[j] = v;
                }
                dictionary = bigger;
            }
            return tenants.size() - 1;
        }

        /** The lookup, or null when the map was given up (its budget could not hold it). */
        TenantKeys build() {
            if (keys == null) {
                return null;
            }
            byte[][] names = tenants.toArray(new byte[0][]);
            if (size == 0) {
                return release(new TenantKeys(names, 0, null, Ordinals.of(0, 0), 0));
            }
            long lo = Long.MAX_VALUE;
            long hi = Long.MIN_VALUE;
            for (int i = 0; i < size; i++) {
                long k = key(i);
                lo = Math.min(lo, k);
                hi = Math.max(hi, k);
            }
            long range = hi - lo + 1;
            int width = Ordinals.width(names.length);
            // Dense when an array over the key range is smaller than the hash table would be.
            boolean dense = range > 0 && range <= 4L * size && range < Integer.MAX_VALUE - 8;
            int capacity = dense ? 0 : Integer.highestOneBit(Math.max(16, size + (size >> 1))) << 1;
            long built = dense ? range * width : (long) capacity * (8 + width);
            if (!budget.take(built)) {
                giveUp();
                return null;
            }
            if (dense) {
                Ordinals values = Ordinals.of((int) range, names.length);
                for (int i = 0; i < size; i++) {
                    values.set((int) (key(i) - lo), ordinalOf(i) + 1);
                }
                return release(new TenantKeys(names, lo, null, values, size));
            }
            long[] slots = new long[capacity];
            Ordinals values = Ordinals.of(capacity, names.length);
            int mask = capacity - 1;
            for (int i = 0; i < size; i++) {
                long k = key(i);
                int s = slot(k, mask);
                while (values.get(s) != 0 && slots[s] != k) {
                    s = (s + 1) & mask;
                }
                slots[s] = k;
                values.set(s, ordinalOf(i) + 1);
            }
            return release(new TenantKeys(names, 0, slots, values, size));
        }

        /** Drops the builder's arrays and gives back their bytes (the map keeps what it took). */
        private TenantKeys release(TenantKeys map) {
            budget.giveBack(reserved * BUILDER_ROW);
            reserved = 0;
            keys = new long[0][];
            ordinals = new int[0][];
            return map;
        }
    }

    /** Ordinals + 1 in the narrowest array that holds them: bytes, chars or ints. */
    private abstract static class Ordinals {
        /** Bytes per ordinal for this many tenants. */
        static int width(int tenants) {
            return tenants < 0xff ? 1 : tenants < 0xffff ? 2 : 4;
        }

        static Ordinals of(int length, int tenants) {
            if (tenants < 0xff) {
                byte[] a = new byte[length];
                return new Ordinals() {
                    int get(int i) { return a[i] & 0xff; }
                    void set(int i, int v) { a[i] = (byte) v; }
                    int length() { return a.length; }
                };
            }
            if (tenants < 0xffff) {
                char[] a = new char[length];
                return new Ordinals() {
                    int get(int i) { return a[i]; }
                    void set(int i, int v) { a[i] = (char) v; }
                    int length() { return a.length; }
                };
            }
            int[] a = new int[length];
            return new Ordinals() {
                int get(int i) { return a[i]; }
                void set(int i, int v) { a[i] = v; }
                int length() { return a.length; }
            };
        }

        abstract int get(int i);

        abstract void set(int i, int v);

        abstract int length();
    }
}
