package io.restorekit.repository.crypto;

import java.util.Arrays;

/**
 * Argon2id, version 0x13 (RFC 9106), without secret or associated data. Written here rather
 * than taken from a library because loading a signed provider jar costs more in a fresh JVM than
 * the hash itself, and every command derives a key once at start.
 */
final class Argon2id {
    private static final int BLOCK_WORDS = 128;
    private static final int SLICES = 4;
    private static final int VERSION = 0x13;
    private static final int TYPE_ID = 2;

    private Argon2id() {
    }

    static byte[] hash(byte[] password, byte[] salt, int memoryKib, int passes, int lanes, int outLength) {
        if (lanes < 1 || passes < 1 || memoryKib < 8 * lanes || outLength < 4) {
            throw new IllegalArgumentException("Argon2id needs lanes >= 1, passes >= 1, memory >= 8 KiB per lane,"
                    + " output >= 4 bytes");
        }
        Blake2b h = new Blake2b(64);
        h.updateInt(lanes).updateInt(outLength).updateInt(memoryKib).updateInt(passes).updateInt(VERSION)
                .updateInt(TYPE_ID);
        h.updateInt(password.length).update(password, 0, password.length);
        h.updateInt(salt.length).update(salt, 0, salt.length);
        h.updateInt(0).updateInt(0);
        byte[] h0 = Arrays.copyOf(h.digest(), 72);

        int segment = memoryKib / (SLICES * lanes);
        int laneLength = segment * SLICES;
        long[][] memory = new long[lanes * laneLength][];
        for (int i = 0; i < memory.length; i++) {
            memory[i] = new long[BLOCK_WORDS];
        }
        byte[] blockBytes = new byte[1024];
        for (int l = 0; l < lanes; l++) {
            for (int j = 0; j < 2; j++) {
                putInt(h0, 64, j);
                putInt(h0, 68, l);
                variableHash(h0, blockBytes);
                long[] b = memory[l * laneLength + j];
                for (int w = 0; w < BLOCK_WORDS; w++) {
                    b[w] = getLong(blockBytes, w * 8);
                }
            }
        }

        Filler f = new Filler(memory, lanes, laneLength, segment, passes);
        for (int pass = 0; pass < passes; pass++) {
            for (int slice = 0; slice < SLICES; slice++) {
                for (int l = 0; l < lanes; l++) {
                    f.fillSegment(pass, l, slice);
                }
            }
        }

        long[] last = memory[laneLength - 1].clone();
        for (int l = 1; l < lanes; l++) {
            long[] b = memory[l * laneLength + laneLength - 1];
            for (int w = 0; w < BLOCK_WORDS; w++) {
                last[w] ^= b[w];
            }
        }
        for (int w = 0; w < BLOCK_WORDS; w++) {
            putLong(blockBytes, w * 8, last[w]);
        }
        byte[] out = new byte[outLength];
        variableHash(blockBytes, out);
        Arrays.fill(blockBytes, (byte) 0);
        Arrays.fill(h0, (byte) 0);
        return out;
    }

    private static final class Filler {
        final long[][] memory;
        final int lanes;
        final int laneLength;
        final int segment;
        final int passes;
        final long[] zero = new long[BLOCK_WORDS];
        final long[] input = new long[BLOCK_WORDS];
        final long[] address = new long[BLOCK_WORDS];
        final long[] r = new long[BLOCK_WORDS];
        final long[] tmp = new long[BLOCK_WORDS];

        Filler(long[][] memory, int lanes, int laneLength, int segment, int passes) {
            this.memory = memory;
            this.lanes = lanes;
            this.laneLength = laneLength;
            this.segment = segment;
            this.passes = passes;
        }

        void fillSegment(int pass, int lane, int slice) {
            boolean independent = pass == 0 && slice < 2;
            if (independent) {
                Arrays.fill(input, 0);
                input[0] = pass;
                input[1] = lane;
                input[2] = slice;
                input[3] = memory.length;
                input[4] = passes;
                input[5] = TYPE_ID;
            }
            int start = 0;
            if (pass == 0 && slice == 0) {
                start = 2;
                if (independent) {
                    nextAddresses();
                }
            }
            int curr = lane * laneLength + slice * segment + start;
            int prev = curr % laneLength == 0 ? curr + laneLength - 1 : curr - 1;
            for (int i = start; i < segment; i++, curr++, prev++) {
                if (curr % laneLength == 1) {
                    prev = curr - 1;
                }
                long pseudo;
                if (independent) {
                    if (i % BLOCK_WORDS == 0) {
                        nextAddresses();
                    }
                    pseudo = address[i % BLOCK_WORDS];
                } else {
                    pseudo = memory[prev][0];
                }
                int refLane = (int) ((pseudo >>> 32) % lanes);
                if (pass == 0 && slice == 0) {
                    refLane = lane;
                }
                int refIndex = indexAlpha(pass, slice, i, pseudo & 0xffffffffL, refLane == lane);
                long[] ref = memory[refLane * laneLength + refIndex];
                fillBlock(memory[prev], ref, memory[curr], pass != 0);
            }
        }

        private int indexAlpha(int pass, int slice, int index, long j1, boolean sameLane) {
            long area;
            if (pass == 0) {
                if (slice == 0) {
                    area = index - 1;
                } else if (sameLane) {
                    area = (long) slice * segment + index - 1;
                } else {
                    area = (long) slice * segment + (index == 0 ? -1 : 0);
                }
            } else if (sameLane) {
                area = laneLength - segment + index - 1;
            } else {
                area = laneLength - segment + (index == 0 ? -1 : 0);
            }
            long x = (j1 * j1) >>> 32;
            long y = (area * x) >>> 32;
            long rel = area - 1 - y;
            long startPos = pass != 0 && slice != SLICES - 1 ? (long) (slice + 1) * segment : 0;
            return (int) ((startPos + rel) % laneLength);
        }

        private void nextAddresses() {
            input[6]++;
            fillBlock(zero, input, address, false);
            fillBlock(zero, address, address, false);
        }

        /** {@code next = G(prev, ref)}, or {@code next ^= G(prev, ref)} on later passes. */
        private void fillBlock(long[] prev, long[] ref, long[] next, boolean xor) {
            long[] r = this.r;
            long[] t = this.tmp;
            for (int i = 0; i < BLOCK_WORDS; i++) {
                r[i] = prev[i] ^ ref[i];
            }
            if (xor) {
                for (int i = 0; i < BLOCK_WORDS; i++) {
                    t[i] = r[i] ^ next[i];
                }
            } else {
                System.arraycopy(r, 0, t, 0, BLOCK_WORDS);
            }
            for (int row = 0; row < 8; row++) {
                int b = 16 * row;
                permute(r, b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7,
                        b + 8, b + 9, b + 10, b + 11, b + 12, b + 13, b + 14, b + 15);
            }
            for (int col = 0; col < 8; col++) {
                int b = 2 * col;
                permute(r, b, b + 1, b + 16, b + 17, b + 32, b + 33, b + 48, b + 49,
                        b + 64, b + 65, b + 80, b + 81, b + 96, b + 97, b + 112, b + 113);
            }
            for (int i = 0; i < BLOCK_WORDS; i++) {
                next[i] = t[i] ^ r[i];
            }
        }
    }

    private static void permute(long[] v, int v0, int v1, int v2, int v3, int v4, int v5, int v6, int v7,
                                int v8, int v9, int v10, int v11, int v12, int v13, int v14, int v15) {
        gb(v, v0, v4, v8, v12);
        gb(v, v1, v5, v9, v13);
        gb(v, v2, v6, v10, v14);
        gb(v, v3, v7, v11, v15);
        gb(v, v0, v5, v10, v15);
        gb(v, v1, v6, v11, v12);
        gb(v, v2, v7, v8, v13);
        gb(v, v3, v4, v9, v14);
    }

    private static void gb(long[] v, int a, int b, int c, int d) {
        long va = v[a], vb = v[b], vc = v[c], vd = v[d];
        va = va + vb + 2 * (va & 0xffffffffL) * (vb & 0xffffffffL);
        vd = Long.rotateRight(vd ^ va, 32);
        vc = vc + vd + 2 * (vc & 0xffffffffL) * (vd & 0xffffffffL);
        vb = Long.rotateRight(vb ^ vc, 24);
        va = va + vb + 2 * (va & 0xffffffffL) * (vb & 0xffffffffL);
        vd = Long.rotateRight(vd ^ va, 16);
        vc = vc + vd + 2 * (vc & 0xffffffffL) * (vd & 0xffffffffL);
        vb = Long.rotateRight(vb ^ vc, 63);
        v[a] = va;
        v[b] = vb;
        v[c] = vc;
        v[d] = vd;
    }

    /** H' of RFC 9106 §3.3: a hash of any length from BLAKE2b. */
    private static void variableHash(byte[] in, byte[] out) {
        int t = out.length;
        if (t <= 64) {
            Blake2b h = new Blake2b(t);
            h.updateInt(t).update(in, 0, in.length);
            System.arraycopy(h.digest(), 0, out, 0, t);
            return;
        }
        int r = (t + 31) / 32 - 2;
        Blake2b h = new Blake2b(64);
        h.updateInt(t).update(in, 0, in.length);
        byte[] v = h.digest();
        System.arraycopy(v, 0, out, 0, 32);
        int pos = 32;
        for (int i = 2; i <= r; i++) {
            v = new Blake2b(64).update(v, 0, 64).digest();
            System.arraycopy(v, 0, out, pos, 32);
            pos += 32;
        }
        int lastLen = t - 32 * r;
        byte[] lastV = new Blake2b(lastLen).update(v, 0, 64).digest();
        System.arraycopy(lastV, 0, out, pos, lastLen);
    }

    /** BLAKE2b (RFC 7693), unkeyed, output of 1 to 64 bytes. */
    static final class Blake2b {
        private static final long[] IV = {
                0x6a09e667f3bcc908L, 0xbb67ae8584caa73bL, 0x3c6ef372fe94f82bL, 0xa54ff53a5f1d36f1L,
                0x510e527fade682d1L, 0x9b05688c2b3e6c1fL, 0x1f83d9abfb41bd6bL, 0x5be0cd19137e2179L};
        private static final byte[][] SIGMA = {
                {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
                {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
                {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
                {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
                {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
                {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
                {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
                {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
                {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
                {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0}};

        private final long[] h = IV.clone();
        private final byte[] buf = new byte[128];
        private final long[] m = new long[16];
        private final long[] v = new long[16];
        private final int outLength;
        private int bufLen;
        private long counter;

        Blake2b(int outLength) {
            this.outLength = outLength;
            h[0] ^= 0x01010000L ^ outLength;
        }

        Blake2b updateInt(int x) {
            byte[] b = new byte[4];
            putInt(b, 0, x);
            return update(b, 0, 4);
        }

        Blake2b update(byte[] in, int off, int len) {
            while (len > 0) {
                if (bufLen == 128) {
                    counter += 128;
                    compress(false);
                    bufLen = 0;
                }
                int n = Math.min(len, 128 - bufLen);
                System.arraycopy(in, off, buf, bufLen, n);
                bufLen += n;
                off += n;
                len -= n;
            }
            return this;
        }

        byte[] digest() {
            counter += bufLen;
            Arrays.fill(buf, bufLen, 128, (byte) 0);
            compress(true);
            byte[] full = new byte[64];
            for (int i = 0; i < 8; i++) {
                putLong(full, i * 8, h[i]);
            }
            return Arrays.copyOf(full, outLength);
        }

        private void compress(boolean last) {
            for (int i = 0; i < 16; i++) {
                m[i] = getLong(buf, i * 8);
            }
            System.arraycopy(h, 0, v, 0, 8);
            System.arraycopy(IV, 0, v, 8, 8);
            v[12] ^= counter;
            if (last) {
                v[14] = ~v[14];
            }
            for (int round = 0; round < 12; round++) {
                byte[] s = SIGMA[round % 10];
                g(0, 4, 8, 12, m[s[0]], m[s[1]]);
                g(1, 5, 9, 13, m[s[2]], m[s[3]]);
                g(2, 6, 10, 14, m[s[4]], m[s[5]]);
                g(3, 7, 11, 15, m[s[6]], m[s[7]]);
                g(0, 5, 10, 15, m[s[8]], m[s[9]]);
                g(1, 6, 11, 12, m[s[10]], m[s[11]]);
                g(2, 7, 8, 13, m[s[12]], m[s[13]]);
                g(3, 4, 9, 14, m[s[14]], m[s[15]]);
            }
            for (int i = 0; i < 8; i++) {
                h[i] ^= v[i] ^ v[i + 8];
            }
        }

        private void g(int a, int b, int c, int d, long x, long y) {
            v[a] = v[a] + v[b] + x;
            v[d] = Long.rotateRight(v[d] ^ v[a], 32);
            v[c] = v[c] + v[d];
            v[b] = Long.rotateRight(v[b] ^ v[c], 24);
            v[a] = v[a] + v[b] + y;
            v[d] = Long.rotateRight(v[d] ^ v[a], 16);
            v[c] = v[c] + v[d];
            v[b] = Long.rotateRight(v[b] ^ v[c], 63);
        }
    }

    private static void putInt(byte[] b, int off, int x) {
        b[off] = (byte) x;
        b[off + 1] = (byte) (x >>> 8);
        b[off + 2] = (byte) (x >>> 16);
        b[off + 3] = (byte) (x >>> 24);
    }

    private static void putLong(byte[] b, int off, long x) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (x >>> (8 * i));
        }
    }

    private static long getLong(byte[] b, int off) {
        long x = 0;
        for (int i = 7; i >= 0; i--) {
            x = (x << 8) | (b[off + i] & 0xff);
        }
        return x;
    }
}
