package io.restorekit.repository.crypto;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** OpenSSL's AES-256-GCM, SHA-256 and HMAC-SHA-256 give the JDK's bytes, at offsets and every length. */
class OpenSslTest {
    private static final byte[] KEY = bytes(32, 7);
    private static final byte[] NONCE = bytes(12, 8);

    @BeforeAll
    static void loaded() {
        // Every CI and development machine of the project has libcrypto 3; elsewhere the JDK path is used.
        assumeTrue(OpenSsl.available(), "libcrypto 3 is not installed");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 16, 17, 4096, 100_003, 1 << 20, (1 << 20) + 5, (3 << 20) + 1})
    @DisplayName("seals like the JDK's GCM, opens what the JDK sealed, into offsets of larger arrays")
    void gcmAsTheJdk(int length) throws Exception {
        byte[] plain = bytes(length + 10, length);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(KEY, "AES"), new GCMParameterSpec(128, NONCE));
        byte[] theirs = c.doFinal(plain, 3, length);

        byte[] ours = new byte[length + 16 + 9];
        OpenSsl.seal(KEY, NONCE, plain, 3, length, ours, 9);
        assertThat(Arrays.copyOfRange(ours, 9, ours.length)).isEqualTo(theirs);

        byte[] wrapped = new byte[theirs.length + 7];
        System.arraycopy(theirs, 0, wrapped, 5, theirs.length);
        byte[] opened = new byte[length + 4];
        assertThat(OpenSsl.open(KEY, NONCE, wrapped, 5, theirs.length, opened, 4)).isTrue();
        assertThat(Arrays.copyOfRange(opened, 4, opened.length)).isEqualTo(Arrays.copyOfRange(plain, 3, 3 + length));
    }

    @DisplayName("refuses a flipped bit in the ciphertext or the tag, a wrong nonce and a wrong key, leaving nothing")
    @ParameterizedTest
    @ValueSource(ints = {10_000, (3 << 20) + 11})
    void refusesDamage(int length) {
        byte[] plain = bytes(length, 1);
        byte[] sealed = new byte[plain.length + 16];
        OpenSsl.seal(KEY, NONCE, plain, 0, plain.length, sealed, 0);
        for (int at : new int[]{0, 5000, plain.length / 2, plain.length - 1, plain.length, sealed.length - 1}) {
            byte[] bad = sealed.clone();
            bad[at] ^= 0x04;
            byte[] out = new byte[plain.length];
            Arrays.fill(out, (byte) 0x55);
            assertThat(OpenSsl.open(KEY, NONCE, bad, 0, bad.length, out, 0)).isFalse();
            // what was decrypted before the tag failed is not left behind
            assertThat(out).containsOnly(0);
        }
        byte[] out = new byte[plain.length];
        assertThat(OpenSsl.open(KEY, bytes(12, 2), sealed, 0, sealed.length, out, 0)).isFalse();
        assertThat(OpenSsl.open(bytes(32, 3), NONCE, sealed, 0, sealed.length, out, 0)).isFalse();
        assertThat(OpenSsl.open(KEY, NONCE, sealed, 0, sealed.length, out, 0)).isTrue();
        assertThat(out).isEqualTo(plain);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 63, 64, 65, 4097, 1 << 20, (1 << 20) + 7, (3 << 20) + 1})
    @DisplayName("SHA-256, streamed SHA-256 and HMAC-SHA-256 equal the JDK's")
    void hashesAsTheJdk(int length) throws Exception {
        byte[] data = bytes(length + 6, length + 1);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(data, 2, length);
        byte[] expected = sha.digest();
        assertThat(OpenSsl.sha256(data, 2, length)).isEqualTo(expected);

        OpenSsl.Sha256Stream stream = new OpenSsl.Sha256Stream();
        for (int round = 0; round < 2; round++) {
            int half = length / 3;
            stream.update(data, 2, half);
            stream.update(data, 2 + half, length - half);
            assertThat(stream.digest()).isEqualTo(expected);
        }

        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        mac.update(data, 2, length);
        assertThat(OpenSsl.hmacSha256(KEY, data, 2, length)).isEqualTo(mac.doFinal());
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
