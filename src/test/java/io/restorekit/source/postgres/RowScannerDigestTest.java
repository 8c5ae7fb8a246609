package io.restorekit.source.postgres;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RowScannerDigestTest {
    private static final BigInteger MOD_128 = BigInteger.ONE.shiftLeft(128);

    @Test
    @DisplayName("a row's hash is MurmurHash3_x64_128 with seed 0: the reference values, over the block and tail lengths")
    void murmurReferenceValues() {
        // MurmurHash3_x64_128(s, seed 0) as h1, h2 (the reference implementation's two output words)
        String[][] vectors = {
            {"", "0000000000000000", "0000000000000000"},
            {"hello", "cbd8a7b341bd9b02", "5b1e906a48ae1d19"},
            {"0123456789abcdef", "4be06d94cf4ad1a7", "87c35b5c63a708da"},
            {"0123456789abcdefg", "8e32612daa45f9de", "0800f4c206c372ee"},
            {"The quick brown fox jumps over the lazy dog", "e34bbc7bbc071b6c", "7a433ca9c49a9347"},
        };
        for (String[] v : vectors) {
            RowScanner one = new RowScanner(-1);
            byte[] row = v[0].getBytes(StandardCharsets.UTF_8);
            one.row(row, 0, row.length);
            assertThat(one.digest()).as(v[0]).isEqualTo(RowScanner.DIGEST_PREFIX + v[1] + v[2]);
            assertThat(one.lastRowHash()).as(v[0]).isEqualTo(Long.parseUnsignedLong(v[1], 16));
        }
    }

    @Test
    @DisplayName("the table digest is the sum mod 2^128 of the rows' hashes: in pieces or row by row, in any order, duplicates counted")
    void digestIsTheSumOfRowHashes() {
        Random random = new Random(7);
        List<String> rows = new ArrayList<>();
        BigInteger sum = BigInteger.ZERO;
        long lastHash = 0;
        for (int i = 0; i < 500; i++) {
            String row = i + "\tname " + random.nextInt() + "\t" + "x".repeat(random.nextInt(200)) + "\tünï";
            rows.add(row);
            RowScanner one = new RowScanner(-1);
            byte[] b = row.getBytes(StandardCharsets.UTF_8);
            one.row(b, 0, b.length);
            sum = sum.add(new BigInteger(one.digest().substring(RowScanner.DIGEST_PREFIX.length()), 16));
            lastHash = one.lastRowHash();
        }
        // rows whose hashes carry out of the low word are the common case; the sum must carry
        String expected = RowScanner.DIGEST_PREFIX + String.format("%032x", sum.mod(MOD_128));
        byte[] all = (String.join("\n", rows) + "\n").getBytes(StandardCharsets.UTF_8);

        RowScanner pieces = new RowScanner(-1);
        for (int off = 0; off < all.length; off += 97) {
            pieces.update(all, off, Math.min(97, all.length - off));
        }
        RowScanner byRow = new RowScanner(-1);
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == '\n') {
                byRow.row(all, start, i - start);
                start = i + 1;
            }
        }
        assertThat(pieces.digest()).isEqualTo(expected);
        assertThat(byRow.digest()).isEqualTo(expected);
        assertThat(byRow.rows()).isEqualTo(500);
        assertThat(byRow.bytes()).isEqualTo(all.length);
        assertThat(byRow.lastRowHash()).isEqualTo(lastHash);

        List<String> shuffled = new ArrayList<>(rows);
        Collections.shuffle(shuffled, new Random(3));
        assertThat(scan(shuffled).digest()).isEqualTo(expected);
        List<String> doubled = new ArrayList<>(rows);
        doubled.add(rows.get(0));
        doubled.add(rows.get(0));
        assertThat(scan(doubled).digest()).isNotEqualTo(expected);
        List<String> changed = new ArrayList<>(rows);
        changed.set(250, changed.get(250) + " ");
        assertThat(scan(changed).digest()).isNotEqualTo(expected);
    }

    @Test
    @DisplayName("a digest of an older snapshot (64 hex digits) is checked with the sum mod 2^256 of the rows' SHA-256")
    void olderDigestsAreSha256Sums() throws Exception {
        Random random = new Random(7);
        StringBuilder text = new StringBuilder();
        BigInteger sum = BigInteger.ZERO;
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long firstOfLast = 0;
        for (int i = 0; i < 500; i++) {
            String row = i + "\tname " + random.nextInt() + "\t" + "x".repeat(random.nextInt(200)) + "\tünï";
            text.append(row).append('\n');
            byte[] h = sha.digest(row.getBytes(StandardCharsets.UTF_8));
            sum = sum.add(new BigInteger(1, h));
            firstOfLast = new BigInteger(1, java.util.Arrays.copyOf(h, 8)).longValue();
        }
        String expected = String.format("%064x", sum.mod(BigInteger.ONE.shiftLeft(256)));
        byte[] all = text.toString().getBytes(StandardCharsets.UTF_8);

        RowScanner pieces = RowScanner.checking(expected, -1);
        for (int off = 0; off < all.length; off += 97) {
            pieces.update(all, off, Math.min(97, all.length - off));
        }
        assertThat(pieces.digest()).isEqualTo(expected);
        assertThat(pieces.lastRowHash()).isEqualTo(firstOfLast);
        // the empty table of an older snapshot too
        assertThat(RowScanner.checking("0".repeat(64), -1).digest()).isEqualTo("0".repeat(64));
        // a current digest, or none, is checked with the current hash
        RowScanner current = new RowScanner(-1);
        current.update(all, 0, all.length);
        assertThat(RowScanner.checking(current.digest(), -1).digest()).isEqualTo(RowScanner.DIGEST_PREFIX + "0".repeat(32));
        RowScanner again = RowScanner.checking(current.digest(), -1);
        again.update(all, 0, all.length);
        assertThat(again.digest()).isEqualTo(current.digest());
        assertThat(RowScanner.checking(null, -1).digest()).startsWith(RowScanner.DIGEST_PREFIX);
    }

    @Test
    @DisplayName("a digest is shown as its first 16 hex digits, prefix left out")
    void shortDigest() {
        assertThat(RowScanner.shortDigest(RowScanner.DIGEST_PREFIX + "0123456789abcdef" + "f".repeat(16)))
                .isEqualTo("0123456789abcdef");
        assertThat(RowScanner.shortDigest("fedcba9876543210" + "0".repeat(48))).isEqualTo("fedcba9876543210");
        assertThat(RowScanner.shortDigest(null)).isEqualTo("none");
    }

    private static RowScanner scan(List<String> rows) {
        RowScanner s = new RowScanner(-1);
        byte[] all = (String.join("\n", rows) + "\n").getBytes(StandardCharsets.UTF_8);
        s.update(all, 0, all.length);
        return s;
    }

    @Test
    @DisplayName("a row's hash is the same wherever it lies: every tail length, at the end of its array or not")
    void tailsAtAnyPosition() {
        Random random = new Random(11);
        for (int len = 0; len <= 80; len++) {
            byte[] row = new byte[len];
            random.nextBytes(row);
            long expected = reference(row);
            for (int before = 0; before <= 3; before++) {
                for (int after : new int[] {0, 1, 7, 8, 15, 16, 40}) {
                    byte[] block = new byte[before + len + after];
                    random.nextBytes(block);
                    System.arraycopy(row, 0, block, before, len);
                    RowScanner one = new RowScanner(-1);
                    one.row(block, before, len);
                    assertThat(one.lastRowHash()).as("length %d at %d, %d bytes after", len, before, after)
                            .isEqualTo(expected);
                }
            }
        }
    }

    /** MurmurHash3_x64_128's h1 with seed 0, written as the reference implementation reads bytes. */
    private static long reference(byte[] b) {
        final long c1 = 0x87c37b91114253d5L;
        final long c2 = 0x4cf5ad432745937fL;
        long h1 = 0;
        long h2 = 0;
        int blocks = b.length / 16;
        for (int i = 0; i < blocks; i++) {
            long k1 = 0;
            long k2 = 0;
            for (int j = 7; j >= 0; j--) {
                k1 = (k1 << 8) | (b[i * 16 + j] & 0xff);
                k2 = (k2 << 8) | (b[i * 16 + 8 + j] & 0xff);
            }
            h1 ^= Long.rotateLeft(k1 * c1, 31) * c2;
            h1 = Long.rotateLeft(h1, 27) + h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= Long.rotateLeft(k2 * c2, 33) * c1;
            h2 = Long.rotateLeft(h2, 31) + h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        int tail = b.length & 15;
        int at = blocks * 16;
        long k1 = 0;
        long k2 = 0;
        switch (tail) {
            case 15: k2 ^= (long) (b[at + 14] & 0xff) << 48;
            case 14: k2 ^= (long) (b[at + 13] & 0xff) << 40;
            case 13: k2 ^= (long) (b[at + 12] & 0xff) << 32;
            case 12: k2 ^= (long) (b[at + 11] & 0xff) << 24;
            case 11: k2 ^= (long) (b[at + 10] & 0xff) << 16;
            case 10: k2 ^= (long) (b[at + 9] & 0xff) << 8;
            case 9: k2 ^= b[at + 8] & 0xff;
                h2 ^= Long.rotateLeft(k2 * c2, 33) * c1;
            case 8: k1 ^= (long) (b[at + 7] & 0xff) << 56;
            case 7: k1 ^= (long) (b[at + 6] & 0xff) << 48;
            case 6: k1 ^= (long) (b[at + 5] & 0xff) << 40;
            case 5: k1 ^= (long) (b[at + 4] & 0xff) << 32;
            case 4: k1 ^= (long) (b[at + 3] & 0xff) << 24;
            case 3: k1 ^= (long) (b[at + 2] & 0xff) << 16;
            case 2: k1 ^= (long) (b[at + 1] & 0xff) << 8;
            case 1: k1 ^= b[at] & 0xff;
                h1 ^= Long.rotateLeft(k1 * c1, 31) * c2;
            default:
                break;
        }
        h1 ^= b.length;
        h2 ^= b.length;
        h1 += h2;
        h2 += h1;
        h1 = fmix(h1);
        h2 = fmix(h2);
        return h1 + h2;
    }

    private static long fmix(long k) {
        k = (k ^ (k >>> 33)) * 0xff51afd7ed558ccdL;
        k = (k ^ (k >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return k ^ (k >>> 33);
    }
}
