package io.restorekit.source.postgres;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RowScannerDigestTest {
    @Test
    @DisplayName("the table digest is the sum mod 2^256 of the rows' SHA-256, whether rows come in pieces or one by one")
    void digestIsTheSumOfRowHashes() throws Exception {
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

        RowScanner pieces = new RowScanner(-1);
        for (int off = 0; off < all.length; off += 97) {
            pieces.update(all, off, Math.min(97, all.length - off));
        }
        RowScanner rows = new RowScanner(-1);
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == '\n') {
                rows.row(all, start, i - start);
                start = i + 1;
            }
        }
        assertThat(pieces.digest()).isEqualTo(expected);
        assertThat(rows.digest()).isEqualTo(expected);
        assertThat(rows.rows()).isEqualTo(500);
        assertThat(rows.bytes()).isEqualTo(all.length);
        assertThat(rows.lastRowHash()).isEqualTo(firstOfLast);
    }
}
