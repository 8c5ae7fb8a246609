package io.restorekit.repository.chunk;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("FastCDC chunker")
class FastCdcTest {
    private static final long[] GEAR = FastCdc.gearTable("test seed");
    private static byte[] input;

    @BeforeAll
    static void data() {
        input = new byte[64 << 20];
        new Random(42).nextBytes(input);
    }

    private static List<byte[]> chunks(InputStream in, long[] gear) throws IOException {
        Chunker c = new FastCdc(in, gear, FastCdc.DEFAULT_MIN, FastCdc.DEFAULT_AVG, FastCdc.DEFAULT_MAX);
        List<byte[]> out = new ArrayList<>();
        for (Chunker.Chunk ch = c.next(); ch != null; ch = c.next()) {
            assertThat(ch.length()).isEqualTo(ch.data().length);
            out.add(ch.data());
        }
        return out;
    }

    private static List<Integer> sizes(List<byte[]> chunks) {
        return chunks.stream().map(b -> b.length).toList();
    }

    /** Returns at most 1000 bytes per read, like a socket. */
    private static InputStream trickle(byte[] b) {
        return new FilterInputStream(new ByteArrayInputStream(b)) {
            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                return super.read(buf, off, Math.min(len, 1000));
            }
        };
    }

    @Test
    @DisplayName("cuts the same boundaries every time, however the stream delivers its bytes")
    void deterministic() throws IOException {
        byte[] part = java.util.Arrays.copyOf(input, 16 << 20);
        List<Integer> a = sizes(chunks(new ByteArrayInputStream(part), GEAR));
        List<Integer> b = sizes(chunks(trickle(part), GEAR));
        assertThat(a).isEqualTo(b);
        assertThat(sizes(chunks(new ByteArrayInputStream(part), FastCdc.gearTable("other seed")))).isNotEqualTo(a);
    }

    @Test
    @DisplayName("chunks concatenate to the input, sized between 256 KiB and 8 MiB, about 1 MiB on average")
    void bounds() throws IOException {
        List<byte[]> chunks = chunks(new ByteArrayInputStream(input), GEAR);
        ByteArrayOutputStream joined = new ByteArrayOutputStream(input.length);
        for (byte[] c : chunks) {
            joined.write(c);
        }
        assertThat(joined.toByteArray()).isEqualTo(input);
        for (int i = 0; i < chunks.size() - 1; i++) {
            assertThat(chunks.get(i).length).isBetween(FastCdc.DEFAULT_MIN, FastCdc.DEFAULT_MAX);
        }
        double avg = (double) input.length / chunks.size();
        assertThat(avg).isBetween(0.7 * (1 << 20), 1.6 * (1 << 20));
    }

    @Test
    @DisplayName("inserting 100 bytes in the middle changes at most three chunks")
    void shiftResistant() throws IOException {
        int mid = input.length / 2;
        byte[] edited = new byte[input.length + 100];
        System.arraycopy(input, 0, edited, 0, mid);
        byte[] insert = new byte[100];
        new Random(7).nextBytes(insert);
        System.arraycopy(insert, 0, edited, mid, 100);
        System.arraycopy(input, mid, edited, mid + 100, input.length - mid);

        Set<String> before = new HashSet<>();
        for (byte[] c : chunks(new ByteArrayInputStream(input), GEAR)) {
            before.add(java.util.HexFormat.of().formatHex(sha(c)));
        }
        int changed = 0;
        for (byte[] c : chunks(new ByteArrayInputStream(edited), GEAR)) {
            if (!before.contains(java.util.HexFormat.of().formatHex(sha(c)))) {
                changed++;
            }
        }
        assertThat(changed).isBetween(1, 3);
    }

    @Test
    @DisplayName("a stream shorter than the minimum is one chunk; an empty one has none")
    void small() throws IOException {
        assertThat(chunks(new ByteArrayInputStream(new byte[0]), GEAR)).isEmpty();
        byte[] small = java.util.Arrays.copyOf(input, 1000);
        List<byte[]> one = chunks(new ByteArrayInputStream(small), GEAR);
        assertThat(one).hasSize(1);
        assertThat(one.get(0)).isEqualTo(small);
    }

    private static byte[] sha(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The plain byte-by-byte FastCDC loop, the definition the chunker must match. */
    private static List<Integer> referenceSizes(byte[] data, long[] gear, int min, int avg, int max) {
        int bits = Integer.numberOfTrailingZeros(avg);
        long strict = -1L << (64 - (bits + 2));
        long loose = -1L << (64 - (bits - 2));
        List<Integer> sizes = new ArrayList<>();
        int pos = 0;
        while (pos < data.length) {
            int n = data.length - pos;
            int len;
            if (n <= min) {
                len = n;
            } else {
                int end = pos + Math.min(n, max);
                int normal = pos + Math.min(n, avg);
                long h = 0;
                len = end - pos;
                for (int i = pos + min; i < end; i++) {
                    h = (h << 1) + gear[data[i] & 0xff];
                    if ((h & (i < normal ? strict : loose)) == 0) {
                        len = i + 1 - pos;
                        break;
                    }
                }
            }
            sizes.add(len);
            pos += len;
        }
        return sizes;
    }

    @Test
    @DisplayName("cuts exactly where the byte-by-byte FastCDC definition cuts, for small and default sizes")
    void matchesDefinition() throws IOException {
        byte[] part = java.util.Arrays.copyOf(input, 24 << 20);
        List<Integer> expected = referenceSizes(part, GEAR, FastCdc.DEFAULT_MIN, FastCdc.DEFAULT_AVG, FastCdc.DEFAULT_MAX);
        assertThat(sizes(chunks(new ByteArrayInputStream(part), GEAR))).isEqualTo(expected);
        // Small sizes give many cuts, in every position of an eight-byte round and at both masks.
        byte[] low = new byte[1 << 20];
        Random r = new Random(7);
        for (int i = 0; i < low.length; i++) {
            low[i] = (byte) (r.nextInt(100) < 70 ? i % 5 : r.nextInt(256));
        }
        for (byte[] data : List.of(java.util.Arrays.copyOf(input, 1 << 20), low)) {
            for (int[] p : new int[][] {{64, 256, 1024}, {100, 128, 4096}, {1, 64, 64}, {256, 1024, 8192}}) {
                Chunker c = new FastCdc(new ByteArrayInputStream(data), GEAR, p[0], p[1], p[2]);
                List<Integer> got = new ArrayList<>();
                for (Chunker.Slice s = c.nextSlice(); s != null; s = c.nextSlice()) {
                    got.add(s.length());
                }
                assertThat(got).as("min %d avg %d max %d", p[0], p[1], p[2])
                        .isEqualTo(referenceSizes(data, GEAR, p[0], p[1], p[2]));
                assertThat(got.size()).isGreaterThan(data.length / p[2]);
            }
        }
    }
}
