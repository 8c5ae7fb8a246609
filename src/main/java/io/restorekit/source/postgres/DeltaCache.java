package io.restorekit.source.postgres;

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
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The local memory of one table's base stream, under {@code RK_HOME/cache/pg-delta}: per base row
 * its 64-bit key hash ({@link RowKeys}) and 64-bit row hash (first 8 bytes of the row's SHA-256),
 * so that the next backup writes only the rows that differ from the base.
 *
 * <p>File: the pairs ({@code key, row}, big-endian longs) in stream order, then a trailer of the
 * base's identity (SHA-256 over its chunk ids), the stream fingerprint (schema, columns, key,
 * grouping), the base's row count and byte length, and the magic {@code RKPGDLT1}. A file is
 * written beside its final name and renamed into place when its table's dump has ended; it is
 * only used when the newest snapshot of the source still lists exactly that base, so a backup
 * killed at any point leaves at worst a cache that the next backup ignores.
 */
final class DeltaCache {
    private static final byte[] MAGIC = "RKPGDLT1".getBytes(StandardCharsets.US_ASCII);
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
     * The base rows of the cache at {@code file}, or null when it is missing, unreadable, or for
     * another base or stream shape (then a new base is written).
     */
    static Base load(Path file, byte[] baseId, byte[] fingerprint) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
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
            Base base = new Base((int) rows, bytes);
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(
                    Files.newInputStream(file), 1 << 16))) {
                for (long i = 0; i < rows; i++) {
                    long key = in.readLong();
                    long row = in.readLong();
                    if (!base.put(key, row)) {
                        return null; // two base keys share a hash: rows could not be told apart
                    }
                }
            }
            return base;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The base rows as an open-addressing map from key hash to row hash (two primitive arrays, no
     * boxing: 5 M rows take 128 MiB), with a mark per slot for the keys seen again.
     */
    static final class Base {
        private final long[] keys;
        private final long[] values;
        private final long[] seen;
        private final int mask;
        private final long bytes;
        private final int rows;

        Base(int rows, long bytes) {
            int capacity = Integer.highestOneBit(Math.max(16, (int) (rows / 0.7))) << 1;
            keys = new long[capacity];
            values = new long[capacity];
            seen = new long[(capacity + 63) >>> 6];
            mask = capacity - 1;
            this.bytes = bytes;
            this.rows = rows;
        }

        /** Base stream length in bytes. */
        long bytes() {
            return bytes;
        }

        int rows() {
            return rows;
        }

        private static int spread(long key) {
            return (int) (key ^ (key >>> 29) ^ (key >>> 47));
        }

        boolean put(long key, long value) {
            int i = spread(key) & mask;
            while (keys[i] != 0) {
                if (keys[i] == key) {
                    return false;
                }
                i = (i + 1) & mask;
            }
            keys[i] = key;
            values[i] = value;
            return true;
        }

        /** The slot of {@code key}, or -1. */
        int find(long key) {
            int i = spread(key) & mask;
            while (keys[i] != 0) {
                if (keys[i] == key) {
                    return i;
                }
                i = (i + 1) & mask;
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
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] != 0 && (seen[i >>> 6] & (1L << i)) == 0) {
                    out.add(keys[i]);
                }
            }
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
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
