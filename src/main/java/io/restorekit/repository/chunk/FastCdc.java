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
     * @param buffer a buffer this chunker may use and {@link #nextSlice()} returns slices of, best of
     *               {@link #bufferSize(int)} bytes (smaller ones are outgrown); null for a fresh one
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

    /** The buffer size with which a chunker never grows its buffer: twice the maximum chunk. */
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
        fill();
        int n = limit - pos;
        if (n == 0) {
            return null;
        }
        int len = cut(buf, pos, n);
        byte[] data = Arrays.copyOfRange(buf, pos, pos + len);
        pos += len;
        return new Chunk(data, len);
    }

    @Override
    public Slice nextSlice() throws IOException {
        fill();
        int n = limit - pos;
        if (n == 0) {
            return null;
        }
        int len = cut(buf, pos, n);
        Slice s = new Slice(buf, pos, len);
        pos += len;
        return s;
    }

    @Override
    public byte[] buffer() {
        return buf;
    }

    private int cut(byte[] b, int start, int n) {
        if (n <= min) {
            return n;
        }
        int end = start + Math.min(n, max);
        roll.hash = 0;
        int cut = roll.cut(b, start + min, end, start + avg);
        return (cut < 0 ? end : cut) - start;
    }

    /** Makes at least {@code max} bytes available after {@code pos}, unless the stream ends first. */
    private void fill() throws IOException {
        int largest = Math.max(bufferSize(max), buf.length);
        while (!eof && limit - pos < max) {
            if (limit == buf.length) {
                if (buf.length < largest) {
                    buf = Arrays.copyOf(buf, Math.min(buf.length * 2, largest));
                } else {
                    // Only when the buffer is full: each byte moves at most once per max bytes read.
                    System.arraycopy(buf, pos, buf, 0, limit - pos);
                    limit -= pos;
                    pos = 0;
                }
            }
            int r = in.read(buf, limit, Math.min(READ, buf.length - limit));
            if (r < 0) {
                eof = true;
            } else {
                limit += r;
            }
        }
    }
}
