package io.restorekit.repository.chunk;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * FastCDC with normalised chunking (docs/repository-format.md §6): a gear hash rolls over the
 * bytes after the minimum size; below the average size a cut needs more zero bits (stricter
 * mask), above it fewer, so sizes cluster around the average; the maximum size always cuts.
 * The gear table comes from the repository's secret seed.
 */
public final class FastCdc implements Chunker {
    public static final int DEFAULT_MIN = 256 << 10;
    public static final int DEFAULT_AVG = 1 << 20;
    public static final int DEFAULT_MAX = 8 << 20;

    private static final int FIRST_BUFFER = 64 << 10;
    // Reads of one bounded size let a FileChannel stream reuse its temporary direct buffer; reads
    // of up to 16 MiB of varying size make it allocate and free (map and unmap) one per read.
    private static final int READ = 1 << 20;

    private final InputStream in;
    private final GearRoll roll;
    private final int min;
    private final int avg;
    private final int max;

    private byte[] buf;
    private int pos;
    private int limit;
    private boolean eof;

    public FastCdc(InputStream in, long[] gear, int min, int avg, int max) {
        this(in, gear, min, avg, max, null);
    }

    /**
     * @param buffer a buffer this chunker may use and {@link #nextSlice()} returns slices of, grown
     *               as a chunk needs (up to {@link #bufferSize(int)}); null for a fresh one
     */
    public FastCdc(InputStream in, long[] gear, int min, int avg, int max, byte[] buffer) {
        if (Integer.bitCount(avg) != 1 || min <= 0 || min > avg || avg > max) {
            throw new IllegalArgumentException("chunk sizes must satisfy 0 < min <= avg <= max, avg a power of two");
        }
        this.in = in;
        this.buf = buffer != null && buffer.length > 0 ? buffer : new byte[FIRST_BUFFER];
        this.roll = new GearRoll(gear, avg);
        this.min = min;
        this.avg = avg;
        this.max = max;
    }

    /** The largest buffer a chunker grows: twice the maximum chunk (a chunk and a read always fit). */
    public static int bufferSize(int max) {
        return 2 * max;
    }

    /** {@code table[i] = first 8 bytes of SHA-256(seed || i)}, big-endian, {@code i} as one byte. */
    public static long[] gearTable(byte[] seed) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long[] table = new long[256];
            for (int i = 0; i < 256; i++) {
                sha.update(seed);
                sha.update((byte) i);
                table[i] = ByteBuffer.wrap(sha.digest()).getLong();
            }
            return table;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A gear table from a fixed text, for tests that need stable boundaries. */
    public static long[] gearTable(String seed) {
        return gearTable(seed.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Chunk next() throws IOException {
        int len = nextLength();
        if (len == 0) {
            return null;
        }
        byte[] data = Arrays.copyOfRange(buf, pos, pos + len);
        pos += len;
        return new Chunk(data, len);
    }

    @Override
    public Slice nextSlice() throws IOException {
        int len = nextLength();
        if (len == 0) {
            return null;
        }
        Slice s = new Slice(buf, pos, len);
        pos += len;
        return s;
    }

    @Override
    public byte[] buffer() {
        return buf;
    }

    /**
     * The length of the chunk that starts at {@code pos} (0 at the end of the stream), reading only
     * as far as its cut point: the gear hash rolls over the bytes as they arrive instead of over
     * the maximum chunk read ahead, so the buffer holds about one chunk and a read's worth, not
     * twice the maximum. Cuts where a whole window of {@code max} bytes would: past {@code min}, at
     * the first byte the normalised rule ends a chunk with, else at {@code max} or the stream's end.
     */
    private int nextLength() throws IOException {
        int scanned = min; // offset from pos up to which the hash has rolled
        roll.hash = 0;
        while (true) {
            int n = limit - pos;
            if (n > min) {
                int end = Math.min(n, max);
                if (scanned < end) {
                    int cut = roll.cut(buf, pos + scanned, pos + end, pos + avg);
                    if (cut >= 0) {
                        return cut - pos;
                    }
                    scanned = end;
                }
                if (n >= max) {
                    return max;
                }
            }
            if (eof || !read()) {
                return n;
            }
        }
    }

    /**
     * Reads more after {@code limit}, first making room: the bytes from {@code pos} on move to the
     * front when they are at most half of a full buffer, else the buffer doubles (up to
     * {@link #bufferSize(int)}, which always has room for a chunk and a read). False at the end.
     */
    private boolean read() throws IOException {
        if (limit == buf.length) {
            int largest = Math.max(bufferSize(max), buf.length);
            if (pos > 0 && (limit - pos <= buf.length / 2 || buf.length >= largest)) {
                System.arraycopy(buf, pos, buf, 0, limit - pos);
                limit -= pos;
                pos = 0;
            } else {
                buf = Arrays.copyOf(buf, Math.min(buf.length * 2, largest));
            }
        }
        int r = in.read(buf, limit, Math.min(READ, buf.length - limit));
        if (r < 0) {
            eof = true;
            return false;
        }
        limit += r;
        return true;
    }
}
