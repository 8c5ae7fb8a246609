package io.restorekit.source.postgres;

import io.restorekit.common.Hex;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a COPY text stream in pieces of any size and keeps, per row: the count, the count per
 * tenant, and the order-independent table digest.
 *
 * <p>The digest is the sum, modulo 2^128, of the 128-bit MurmurHash3 (x64, seed 0; its first
 * 64-bit half as the high word) of every row line (its bytes without the newline), written as
 * {@value #DIGEST_PREFIX} and 32 hex digits. Summing makes it independent of row order and keeps
 * duplicate rows apart (XOR would cancel pairs). It tells whether a restore loaded the rows the
 * backup read, with the odds of two different tables agreeing 2^-128; it is not a commitment
 * against forgery, which is what the repository's authenticated encryption is for. Snapshots
 * made before this digest carry the sum, modulo 2^256, of the SHA-256 of every row (64 hex
 * digits, no prefix), about five times the CPU per row: {@link #checking} computes whichever a manifest
 * holds.
 *
 * <p>In COPY text a newline inside a value is escaped, so every raw {@code \n} ends a row and
 * every raw tab separates columns.
 */
public final class RowScanner {
    /** How a digest of this scanner's kind begins. */
    public static final String DIGEST_PREFIX = "murmur3-128:";
    private static final java.lang.invoke.VarHandle BIG_ENDIAN =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);
    private static final java.lang.invoke.VarHandle LITTLE_ENDIAN =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;
    /** SHA-256 for the digests of older snapshots ({@link #checking}), otherwise null. */
    private final MessageDigest sha;
    private final int tenantField;
    /** Whether rows are split out at all (not for {@link #bytesOnly()}), and whether each is hashed. */
    private final boolean readsRows;
    private final boolean hashes;
    /** The sum: four big-endian words for SHA-256, the first two for MurmurHash3. */
    private final long[] sum = new long[4];
    private final byte[] rowHash;
    private TenantCounts tenants = new TenantCounts(64);
    private byte[] partial = new byte[256];
    private int partialLength;
    private long rows;
    private long bytes;
    private long lastRowHash;

    /** @param tenantField the 0-based column holding the tenant, or -1 */
    public RowScanner(int tenantField) {
        this(tenantField, true, true, false);
    }

    private RowScanner(int tenantField, boolean readsRows, boolean hashes, boolean sha256) {
        this.readsRows = readsRows;
        this.hashes = hashes;
        if (sha256) {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            rowHash = new byte[32];
        } else {
            sha = null;
            rowHash = null;
        }
        this.tenantField = tenantField;
    }

    /**
     * A scanner whose {@link #digest()} is comparable to {@code digest}, a table digest from a
     * manifest: the SHA-256 sum for one of 64 hex digits (snapshots made before the MurmurHash3
     * digest), otherwise this scanner's own.
     */
    public static RowScanner checking(String digest, int tenantField) {
        boolean sha256 = digest != null && digest.length() == 64;  // a current one is 12 + 32 long
        return new RowScanner(tenantField, true, true, sha256);
    }

    /** A digest as people compare them at a glance: its first 16 hex digits, without the prefix. */
    public static String shortDigest(String digest) {
        if (digest == null) {
            return "none";
        }
        String hex = digest.startsWith(DIGEST_PREFIX) ? digest.substring(DIGEST_PREFIX.length()) : digest;
        return hex.substring(0, Math.min(16, hex.length()));
    }

    /**
     * A scanner that counts bytes only ({@link #rows()}, {@link #digest()}, {@link #lastRowHash()}
     * and {@link #tenants()} stay those of no rows): for readers that split the rows themselves,
     * of blobs the repository has already authenticated, and need no digest.
     */
    public static RowScanner bytesOnly() {
        return new RowScanner(-1, false, false, false);
    }

    /**
     * A scanner that counts rows and rows per tenant but hashes nothing ({@link #digest()} and
     * {@link #lastRowHash()} stay those of no rows): for streams read from blobs the repository
     * has authenticated, whose digest {@code verify --read-data} recomputes.
     */
    public static RowScanner counting(int tenantField) {
        return new RowScanner(tenantField, true, false, false);
    }

    public void update(byte[] data, int off, int len) {
        bytes += len;
        if (!readsRows) {
            return;
        }
        int end = off + len;
        int start = off;
        for (int i = off; i < end; i++) {
            if (data[i] != '\n') {
                continue;
            }
            if (partialLength > 0) {
                append(data, start, i - start);
                digestRow(partial, 0, partialLength);
                partialLength = 0;
            } else {
                digestRow(data, start, i - start);
            }
            start = i + 1;
        }
        if (start < end) {
            append(data, start, end - start);
        }
    }

    /**
     * One complete row, {@code data[off, off+len)} without its newline: the same as
     * {@link #update} of the row and a newline, for a row known to hold no raw newline.
     */
    public void row(byte[] data, int off, int len) {
        if (partialLength > 0) {
            throw new IllegalStateException("a row follows a partial row");
        }
        bytes += len + 1;
        if (readsRows) {
            digestRow(data, off, len);
        }
    }

    private void append(byte[] data, int off, int len) {
        if (partialLength + len > partial.length) {
            byte[] bigger = new byte[Math.max(partial.length * 2, partialLength + len)];
            System.arraycopy(partial, 0, bigger, 0, partialLength);
            partial = bigger;
        }
        System.arraycopy(data, off, partial, partialLength, len);
        partialLength += len;
    }

    private void digestRow(byte[] data, int off, int len) {
        rows++;
        if (!hashes) {
            if (tenantField >= 0) {
                count(data, off, len, tenantField);
            }
            return;
        }
        if (sha == null) {
            murmur(data, off, len);
        } else {
            sha.update(data, off, len);
            byte[] h = rowHash;
            try {
                sha.digest(h, 0, h.length);
            } catch (java.security.DigestException e) {
                throw new IllegalStateException(e);
            }
            add(h);
            lastRowHash = (long) BIG_ENDIAN.get(h, 0);
        }
        if (tenantField >= 0) {
            count(data, off, len, tenantField);
        }
    }

    /** Counts the row for the raw text of field {@code n}, unless it is SQL NULL ({@code \N}) or missing. */
    private void count(byte[] data, int off, int len, int n) {
        int end = off + len;
        int start = off;
        int index = 0;
        for (int i = off; i <= end; i++) {
            if (i == end || data[i] == '\t') {
                if (index == n) {
                    if (i - start == 2 && data[start] == '\\' && data[start + 1] == 'N') {
                        return;
                    }
                    if (!tenants.increment(data, start, i)) {
                        tenants = tenants.grown();
                        tenants.increment(data, start, i);
                    }
                    return;
                }
                index++;
                start = i + 1;
            }
        }
    }

    /**
     * Rows per tenant keyed by the tenant's raw bytes (no string per row): open addressing over
     * parallel arrays, grown when half full.
     */
    private static final class TenantCounts {
        private final byte[][] keys;
        private final int[] hashes;
        private final long[] counts;
        private int size;

        TenantCounts(int capacity) {
            keys = new byte[capacity][];
            hashes = new int[capacity];
            counts = new long[capacity];
        }

        /** Adds one row to the tenant {@code data[from, to)}; false when the table must grow first. */
        boolean increment(byte[] data, int from, int to) {
            int hash = 1;
            for (int i = from; i < to; i++) {
                hash = 31 * hash + data[i];
            }
            int mask = keys.length - 1;
            int i = (hash ^ (hash >>> 16)) & mask;
            for (byte[] k; (k = keys[i]) != null; i = (i + 1) & mask) {
                if (hashes[i] == hash && Arrays.equals(k, 0, k.length, data, from, to)) {
                    counts[i]++;
                    return true;
                }
            }
            if ((size + 1) * 2 > keys.length) {
                return false;
            }
            keys[i] = Arrays.copyOfRange(data, from, to);
            hashes[i] = hash;
            counts[i] = 1;
            size++;
            return true;
        }

        TenantCounts grown() {
            TenantCounts bigger = new TenantCounts(keys.length * 2);
            int mask = bigger.keys.length - 1;
            for (int j = 0; j < keys.length; j++) {
                if (keys[j] != null) {
                    int i = (hashes[j] ^ (hashes[j] >>> 16)) & mask;
                    while (bigger.keys[i] != null) {
                        i = (i + 1) & mask;
                    }
                    bigger.keys[i] = keys[j];
                    bigger.hashes[i] = hashes[j];
                    bigger.counts[i] = counts[j];
                }
            }
            bigger.size = size;
            return bigger;
        }

        Map<String, Long> toMap() {
            Map<String, Long> out = new HashMap<>();
            for (int j = 0; j < keys.length; j++) {
                if (keys[j] != null) {
                    out.merge(new String(keys[j], StandardCharsets.UTF_8), counts[j], Long::sum);
                }
            }
            return out;
        }
    }

    /**
     * MurmurHash3_x64_128 of {@code data[off, off+len)} with seed 0, added to the sum; its first
     * half becomes {@link #lastRowHash()}.
     */
    private void murmur(byte[] data, int off, int len) {
        long h1 = 0;
        long h2 = 0;
        int p = off;
        for (int end = off + (len & ~15); p < end; p += 16) {
            long k1 = (long) LITTLE_ENDIAN.get(data, p);
            long k2 = (long) LITTLE_ENDIAN.get(data, p + 8);
            h1 ^= Long.rotateLeft(k1 * C1, 31) * C2;
            h1 = Long.rotateLeft(h1, 27) + h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= Long.rotateLeft(k2 * C2, 33) * C1;
            h2 = Long.rotateLeft(h2, 31) + h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        int tail = len & 15;
        if (tail > 0) {
            long k1;
            long k2 = 0;
            if (p + 16 <= data.length) {
                // The tail's bytes as whole little-endian words, the bytes past the row masked off:
                // the same words as byte by byte, without a loop per byte (the array goes on past
                // the row, as rows lie in larger blocks).
                long lo = (long) LITTLE_ENDIAN.get(data, p);
                if (tail > 8) {
                    k1 = lo;
                    k2 = (long) LITTLE_ENDIAN.get(data, p + 8) & (-1L >>> (64 - 8 * (tail - 8)));
                } else {
                    k1 = lo & (-1L >>> (64 - 8 * tail));
                }
            } else {
                k1 = 0;
                for (int i = Math.min(tail, 8) - 1; i >= 0; i--) {
                    k1 = (k1 << 8) | (data[p + i] & 0xff);
                }
                for (int i = tail - 1; i >= 8; i--) {
                    k2 = (k2 << 8) | (data[p + i] & 0xff);
                }
            }
            if (tail > 8) {
                h2 ^= Long.rotateLeft(k2 * C2, 33) * C1;
            }
            h1 ^= Long.rotateLeft(k1 * C1, 31) * C2;
        }
        h1 ^= len;
        h2 ^= len;
        h1 += h2;
        h2 += h1;
        h1 = fmix(h1);
        h2 = fmix(h2);
        h1 += h2;
        h2 += h1;
        long low = sum[1] + h2;
        sum[0] += h1 + (Long.compareUnsigned(low, sum[1]) < 0 ? 1 : 0);
        sum[1] = low;
        lastRowHash = h1;
    }

    private static long fmix(long k) {
        k = (k ^ (k >>> 33)) * 0xff51afd7ed558ccdL;
        k = (k ^ (k >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return k ^ (k >>> 33);
    }

    private void add(byte[] h) {
        long carry = 0;
        for (int word = 3; word >= 0; word--) {
            long v = (long) BIG_ENDIAN.get(h, word * 8);
            long s = sum[word] + v;
            long c1 = Long.compareUnsigned(s, sum[word]) < 0 ? 1 : 0;
            long s2 = s + carry;
            long c2 = Long.compareUnsigned(s2, s) < 0 ? 1 : 0;
            sum[word] = s2;
            carry = c1 + c2;
        }
    }

    /** The first half of the last complete row's hash (for SHA-256 digests, its first 8 bytes, big-endian). */
    public long lastRowHash() {
        return lastRowHash;
    }

    /** True when the stream ended with a complete row. */
    public boolean complete() {
        return partialLength == 0;
    }

    public long rows() {
        return rows;
    }

    public long bytes() {
        return bytes;
    }

    /** Rows per tenant value; empty when the table has no tenant column. */
    public Map<String, Long> tenants() {
        return Map.copyOf(tenants.toMap());
    }

    /** The digest: {@value #DIGEST_PREFIX} and 32 hex digits, or 64 hex digits for SHA-256 ({@link #checking}). */
    public String digest() {
        int words = sha == null ? 2 : 4;
        byte[] out = new byte[words * 8];
        for (int word = 0; word < words; word++) {
            for (int k = 0; k < 8; k++) {
                out[word * 8 + k] = (byte) (sum[word] >>> (56 - 8 * k));
            }
        }
        return sha == null ? DIGEST_PREFIX + Hex.encode(out) : Hex.encode(out);
    }
}
