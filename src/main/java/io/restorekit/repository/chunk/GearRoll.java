package io.restorekit.repository.chunk;

/**
 * FastCDC's gear hash and its normalised cut rule: {@code hash = (hash << 1) + gear[byte]}, so
 * that its top bits depend on the last 64 bytes, and a chunk ends after a byte that leaves the
 * hash's top bits clear: two more bits than the average size's up to the average size, two
 * fewer after it. Shared by the stream chunker ({@link FastCdc}) and the per-tenant chunkers of
 * database tables, which must cut exactly where it would.
 */
public final class GearRoll {
    private final long[] gear;
    private final long strict;
    private final long loose;
    /** The hash after the last byte rolled over. */
    public long hash;

    /** @param avg the average chunk size, a power of two */
    public GearRoll(long[] gear, int avg) {
        if (gear.length != 256) {
            throw new IllegalArgumentException("a gear table has 256 entries");
        }
        this.gear = gear;
        int bits = Integer.numberOfTrailingZeros(avg);
        this.strict = topBits(bits + 2);
        this.loose = topBits(bits - 2);
    }

    private static long topBits(int bits) {
        return bits <= 0 ? 0 : -1L << (64 - bits);
    }

    /**
     * Rolls over {@code b[from, to)}, where the bytes before index {@code normal} are those before
     * the chunk's average size: returns the index after the byte the chunk ends with, or -1 when
     * none of the range ends it (then {@link #hash} covers the whole range).
     */
    public int cut(byte[] b, int from, int to, int normal) {
        int at = from < normal ? until(b, from, Math.min(normal, to), strict) : -1;
        int next = Math.max(from, normal);
        return at >= 0 || next >= to ? at : until(b, next, to, loose);
    }

    /** Rolls over {@code b[from, to)} until the hash has none of the bits of {@code mask} set; as {@link #cut}. */
    private int until(byte[] b, int from, int to, long mask) {
        long[] g = gear;
        long h = hash;
        int i = from;
        // Eight bytes per round: the hash rolls as byte by byte, but the loop's own work (the bound
        // test, and under C1 the safepoint poll) comes once per eight bytes. A round that meets a
        // cut point stops, and the byte-wise loop below finds it.
        for (int stop = to - 8; i <= stop; i += 8) {
            long h1 = (h << 1) + g[b[i] & 0xff];
            long h2 = (h1 << 1) + g[b[i + 1] & 0xff];
            long h3 = (h2 << 1) + g[b[i + 2] & 0xff];
            long h4 = (h3 << 1) + g[b[i + 3] & 0xff];
            long h5 = (h4 << 1) + g[b[i + 4] & 0xff];
            long h6 = (h5 << 1) + g[b[i + 5] & 0xff];
            long h7 = (h6 << 1) + g[b[i + 6] & 0xff];
            long h8 = (h7 << 1) + g[b[i + 7] & 0xff];
            if ((h1 & mask) == 0 || (h2 & mask) == 0 || (h3 & mask) == 0 || (h4 & mask) == 0
                    || (h5 & mask) == 0 || (h6 & mask) == 0 || (h7 & mask) == 0 || (h8 & mask) == 0) {
                break;
            }
            h = h8;
        }
        for (; i < to; i++) {
            h = (h << 1) + g[b[i] & 0xff];
            if ((h & mask) == 0) {
                hash = h;
                return i + 1;
            }
        }
        hash = h;
        return -1;
    }
}
