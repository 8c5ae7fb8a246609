package io.restorekit.source.mysql;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RowEncoderTest {
    @Test
    @DisplayName("escaping a value eight bytes at a time writes what escaping byte by byte writes, at every offset and length")
    void escapedEqualsByteByByte() {
        Random random = new Random(11);
        // the escaped bytes, their neighbours below 0x0e that are written as they are, UTF-8 and plain text
        byte[] alphabet = {0, 1, 8, 9, 10, 11, 12, 13, 14, '\\', '[', ']', 'a', 'z', ' ', (byte) 0xc3, (byte) 0xa9,
            (byte) 0xf0, (byte) 0x9f, (byte) 0x80, (byte) 0xff, '0', '9'};
        for (int round = 0; round < 20_000; round++) {
            int len = random.nextInt(48);
            int off = random.nextInt(9);
            byte[] value = new byte[off + len + random.nextInt(9)];
            boolean plain = random.nextInt(3) == 0;
            for (int i = 0; i < value.length; i++) {
                value[i] = plain ? (byte) ('a' + random.nextInt(26)) : alphabet[random.nextInt(alphabet.length)];
            }
            if (plain && len > 0 && random.nextBoolean()) {
                value[off + random.nextInt(len)] = alphabet[random.nextInt(10)];  // one special byte anywhere
            }
            RowEncoder.Buf out = new RowEncoder.Buf();
            out.add((byte) 'x');  // an unaligned start in the output too
            RowEncoder.escaped(value, off, len, out);
            assertThat(java.util.Arrays.copyOf(out.data, out.length)).as("round %d", round)
                    .isEqualTo(reference(value, off, len));
        }
    }

    private static byte[] reference(byte[] b, int off, int len) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('x');
        for (int i = off; i < off + len; i++) {
            switch (b[i]) {
                case 0 -> out.writeBytes(new byte[] {'\\', '0'});
                case '\t' -> out.writeBytes(new byte[] {'\\', 't'});
                case '\n' -> out.writeBytes(new byte[] {'\\', 'n'});
                case '\r' -> out.writeBytes(new byte[] {'\\', 'r'});
                case '\\' -> out.writeBytes(new byte[] {'\\', '\\'});
                default -> out.write(b[i]);
            }
        }
        return out.toByteArray();
    }
}
