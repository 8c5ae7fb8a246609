package io.restorekit.source.postgres;

import io.restorekit.common.AtomicFiles;
import io.restorekit.common.Hex;
import io.restorekit.repository.BlobId;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The local memory of one table's base stream, under {@code RK_HOME/cache/pg-delta}: per base row
 * its 64-bit key hash ({@link RowKeys}) and 64-bit row hash (the first half of its MurmurHash3,
 * {@link RowScanner#lastRowHash()}), so that the next backup writes only the rows that differ
 * from the base.
 *
 * <p>File: the pairs ({@code key, row}, big-endian longs) in stream order, then a trailer of the
 * base's identity (SHA-256 over its chunk ids), the stream fingerprint (schema, columns, key,
 * grouping), the base's row count and byte length, and the magic {@code RKPGDLT2} (files with
 * {@code RKPGDLT1} hold SHA-256 row hashes and are ignored). A file is written beside its final
 * name and renamed into place when its table's dump has ended; it is only used when the newest
 * snapshot of the source still lists exactly that base, so a backup killed at any point leaves
 * at worst a cache that the next backup ignores.
 */
final class DeltaCache {
    private static final byte[] MAGIC = "RKPGDLT2".getBytes(StandardCharsets.US_ASCII);
    private static final int TRAILER = 32 + 32 + 8 + 8 + 8;

    private DeltaCache() {
    }

    /** The cache file of one table of one source. */
    static Path file(Path dir, String source, String table) {
        return dir.resolve("pg-delta").resolve(Hex.encode(sha(source + "\0" + table)).substring(0, 40));
    }

    /** Identity of a base stream: SHA-256 over its chunk ids in order. */
    static byte[] baseId(List<BlobId> chunks) {
        MessageDigest md = sha256();
        chunks.forEach(c -> md.update(c.bytes()));
        return md.digest();
    }

    /** What a cache must match: the schema and how the stream is written. */
    static byte[] fingerprint(String schemaFingerprint, List<String> columns, List<String> primaryKey,
                              List<String> tenantVia, String tenantKey) {
        return sha(schemaFingerprint + "\0" + columns + "\0" + primaryKey + "\0" + tenantVia + "\0" + tenantKey);
    }

    /**
     * Heap the bases of all tables being dumped may hold at once: a quarter of the maximum heap.
     * A table whose base does not fit beside the others is dumped whole (a new base).
     */
    private static final java.util.concurrent.atomic.AtomicLong FREE = new java.util.concurrent.atomic.AtomicLong(
            Runtime.getRuntime().maxMemory() / 4);

    /**
     * The base rows of the cache at {@code file}, or null when it is missing, unreadable, or for
     * another base or stream shape, or when its map would not fit the heap left for bases (then
     * a new base is written). {@link Base#close} gives its memory back.
     */
    static Base load(Path file, byte[] baseId, byte[] fingerprint) {
        return load(file, baseId, fingerprint, FREE);
    }

    static Base load(Path file, byte[] baseId, byte[] fingerprint, java.util.concurrent.atomic.AtomicLong free) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Base base = null;
        try {
            long size = Files.size(file);
            if (size < TRAILER || (size - TRAILER) % 16 != 0) {
                return null;
            }
            byte[] trailer = new byte[TRAILER];
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
                raf.seek(size - TRAILER);
                raf.readFully(trailer);
            }
            java.nio.ByteBuffer t = java.nio.ByteBuffer.wrap(trailer);
            byte[] id = new byte[32];
            byte[] fp = new byte[32];
            byte[] magic = new byte[8];
            t.get(id).get(fp);
            long rows = t.getLong();
            long bytes = t.getLong();
            t.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC) || !java.util.Arrays.equals(id, baseId)
                    || !java.util.Arrays.equals(fp, fingerprint) || rows != (size - TRAILER) / 16
                    || rows > Integer.MAX_VALUE / 4) {
                return null;
            }
            long footprint = Base.footprint((int) rows);
            if (free.addAndGet(-footprint) < 0) {
                free.addAndGet(footprint);
                return null;
            }
            base = new Base((int) rows, bytes, free, footprint);
            // Two passes over the file: count the rows per bucket, then put each in its bucket's
            // place; no second copy of the arrays is ever needed.
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(
                    Files.newInputStream(file), 1 << 16))) {
                for (long i = 0; i < rows; i++) {
                    base.count(in.readLong());
                    in.readLong();
                }
            }
            base.place();
            int[] cursor = base.cursor();
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(
                    Files.newInputStream(file), 1 << 16))) {
                for (long i = 0; i < rows; i++) {
                    long key = in.readLong();
                    base.put(cursor, key, in.readLong());
                }
            }
            if (!base.sort()) {
                base.close();
                return null; // two base keys share a hash: rows could not be told apart
            }
            return base;
        } catch (IOException | RuntimeException e) {
            if (base != null) {
                base.close();
            }
            return null;
        }
    }

    /**
     * The base rows as a map from key hash to row hash in two primitive arrays sorted by key (16
     * bytes a row), found through a directory of the keys' top bits (one int per four rows; key
     * hashes are uniform, so a bucket holds about four keys), with a mark per row for the keys seen
     * again: 5 M rows take 86 MiB.
     */
    static final class Base implements Closeable {
        private final long[] keys;
        private final long[] values;
        private final long[] seen;
        private final int[] directory;
        private final int shift;
        private final long bytes;
        private final int rows;
        private final java.util.concurrent.atomic.AtomicLong free;
        private long footprint;

        Base(int rows, long bytes, java.util.concurrent.atomic.AtomicLong free, long footprint) {
            int buckets = Integer.highestOneBit(Math.max(1, rows / 4));
            keys = new long[rows];
            values = new long[rows];
            seen = new long[(rows + 63) >>> 6];
            directory = new int[buckets + 1];
            shift = 64 - Integer.numberOfTrailingZeros(buckets);
            this.bytes = bytes;
            this.rows = rows;
            this.free = free;
            this.footprint = footprint;
        }

        /** Heap taken by the base of {@code rows} rows. */
        static long footprint(int rows) {
            // keys, values, the directory and (while loading) its cursor, the marks
            return 16L * rows + 8L * Integer.highestOneBit(Math.max(1, rows / 4)) + rows / 8 + 256;
        }

        /** Base stream length in bytes. */
        long bytes() {
            return bytes;
        }

        int rows() {
            return rows;
        }

        private int bucket(long key) {
            return shift == 64 ? 0 : (int) (key >>> shift);
        }

        /** First pass: one more key of {@code key}'s bucket ({@code directory[b + 1]} counts bucket b). */
        private void count(long key) {
            directory[bucket(key) + 1]++;
        }

        /** Turns the counts into bucket starts. */
        private void place() {
            for (int b = 1; b < directory.length; b++) {
                directory[b] += directory[b - 1];
            }
        }

        /** The next free place of each bucket, for {@link #put}: at first the bucket starts. */
        private int[] cursor() {
            return java.util.Arrays.copyOf(directory, directory.length - 1);
        }

        /** Second pass: the row goes to the next free place of its bucket. */
        private void put(int[] cursor, long key, long value) {
            int i = cursor[bucket(key)]++;
            keys[i] = key;
            values[i] = value;
        }

        /** Sorts each bucket by key; false when two keys are equal. */
        private boolean sort() {
            for (int b = 0; b + 1 < directory.length; b++) {
                int from = directory[b];
                int to = directory[b + 1];
                for (int i = from + 1; i < to; i++) {
                    long k = keys[i];
                    long v = values[i];
                    int j = i - 1;
                    while (j >= from && Long.compareUnsigned(keys[j], k) > 0) {
                        keys[j + 1] = keys[j];
                        values[j + 1] = values[j];
                        j--;
                    }
                    if (j >= from && keys[j] == k) {
                        return false;
                    }
                    keys[j + 1] = k;
                    values[j + 1] = v;
                }
            }
            return true;
        }

        /** The slot of {@code key}, or -1. */
        int find(long key) {
            int b = bucket(key);
            for (int i = directory[b], end = directory[b + 1]; i < end; i++) {
                if (keys[i] == key) {
                    return i;
                }
            }
            return -1;
        }

        long value(int slot) {
            return values[slot];
        }

        /** Marks a slot's key as present in the new stream; false when it already was. */
        boolean markSeen(int slot) {
            long bit = 1L << slot;
            long word = seen[slot >>> 6];
            seen[slot >>> 6] = word | bit;
            return (word & bit) == 0;
        }

        /** Adds every key never marked seen (rows deleted since the base) to {@code out}. */
        void unseen(LongList out) {
            for (int i = 0; i < rows; i++) {
                if ((seen[i >>> 6] & (1L << i)) == 0) {
                    out.add(keys[i]);
                }
            }
        }

        /** Gives the base's memory back to the heap left for bases. */
        @Override
        public void close() {
            free.addAndGet(footprint);
            footprint = 0;
        }
    }

    /** A growable list of longs. */
    static final class LongList {
        private long[] items = new long[1024];
        private int size;

        void add(long v) {
            if (size == items.length) {
                items = java.util.Arrays.copyOf(items, items.length * 2);
            }
            items[size++] = v;
        }

        int size() {
            return size;
        }

        long[] sorted() {
            long[] out = java.util.Arrays.copyOf(items, size);
            java.util.Arrays.sort(out);
            return out;
        }
    }

    /** Writes a new cache beside {@code file} as a base is dumped; {@link #commit} puts it in place. */
    static final class Writer implements Closeable {
        private final Path file;
        private final Path temporary;
        private final DataOutputStream out;
        private long rows;
        private boolean committed;

        Writer(Path file) throws IOException {
            this.file = file;
            Files.createDirectories(file.getParent());
            temporary = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                    + Thread.currentThread().getId());
            out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(temporary), 1 << 16));
        }

        void add(long key, long row) throws IOException {
            out.writeLong(key);
            out.writeLong(row);
            rows++;
        }

        void commit(byte[] baseId, byte[] fingerprint, long bytes) throws IOException {
            out.write(baseId);
            out.write(fingerprint);
            out.writeLong(rows);
            out.writeLong(bytes);
            out.write(MAGIC);
            out.close();
            AtomicFiles.replace(temporary, file);
            committed = true;
        }

        @Override
        public void close() throws IOException {
            if (!committed) {
                out.close();
                Files.deleteIfExists(temporary);
            }
        }
    }

    /** Removes the cache of a table (its base is no longer tracked, e.g. a table without a key). */
    static void forget(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a stale cache is ignored anyway: it names a base no snapshot lists
        }
    }

    static byte[] sha(String text) {
        return sha256().digest(text.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
