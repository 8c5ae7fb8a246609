package io.restorekit.repository.chunk;

/**
 * FastCDC's gear hash rolling over bytes: {@code hash = (hash << 1) + gear[byte]}, so that its top
 * bits depend on the last 64 bytes. Shared by the stream chunker ({@link FastCdc}) and the
 * per-tenant chunkers of database tables, which must cut exactly where it would.
 */
public final class GearRoll {
    private final long[] gear;
    /** The hash after the last byte rolled over. */
    public long hash;

    public GearRoll(long[] gear) {
        if (gear.length != 256) {
            throw new IllegalArgumentException("a gear table has 256 entries");
        }
        this.gear = gear;
    }

    /**
     * Rolls over {@code b[from, to)} until the hash has none of the bits of {@code mask} set:
     * returns the index after that byte, or -1 when no byte of the range made it so (then
     * {@link #hash} covers the whole range).
     */
    public int until(byte[] b, int from, int to, long mask) {
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
