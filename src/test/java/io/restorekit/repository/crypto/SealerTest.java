package io.restorekit.repository.crypto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SealerTest {
    private static final byte[] KEY = bytes(32, 7);
    private final Sealer sealer = new Sealer(KEY);

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 16, 17, 4095, 4096, 4097, 65536, (1 << 20) + 3})
    @DisplayName("opens what it sealed, at every length around block and piece boundaries")
    void roundTrip(int length) throws Exception {
        byte[] plain = bytes(length, length);
        assertThat(sealer.open(sealer.seal(plain))).isEqualTo(plain);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 100, 4096, 100_003})
    @DisplayName("reads standard AES-256-GCM, and the JDK's GCM decryption reads what it seals")
    void standardGcm(int length) throws Exception {
        byte[] plain = bytes(length, 3);
        byte[] sealed = sealer.seal(plain);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(KEY, "AES"), new GCMParameterSpec(128, sealed, 0, 12));
        assertThat(c.doFinal(sealed, 12, sealed.length - 12)).isEqualTo(plain);

        byte[] nonce = bytes(12, 9);
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(KEY, "AES"), new GCMParameterSpec(128, nonce));
        byte[] body = c.doFinal(plain);
        byte[] theirs = new byte[12 + body.length];
        System.arraycopy(nonce, 0, theirs, 0, 12);
        System.arraycopy(body, 0, theirs, 12, body.length);
        assertThat(sealer.open(theirs)).isEqualTo(plain);
    }

    @Test
    @DisplayName("refuses any flipped bit: in the nonce, the ciphertext or the tag")
    void tamper() {
        byte[] sealed = sealer.seal(bytes(10_000, 5));
        for (int at : new int[]{0, 11, 12, 5000, sealed.length - 17, sealed.length - 16, sealed.length - 1}) {
            byte[] bad = sealed.clone();
            bad[at] ^= 0x10;
            assertThatThrownBy(() -> sealer.open(bad)).isInstanceOf(AEADBadTagException.class);
        }
    }

    @Test
    @DisplayName("refuses another key's object, and one too short to hold a nonce and a tag")
    void wrongKeyAndShort() {
        byte[] sealed = new Sealer(bytes(32, 8)).seal(bytes(100, 1));
        assertThatThrownBy(() -> sealer.open(sealed)).isInstanceOf(AEADBadTagException.class);
        assertThatThrownBy(() -> sealer.open(new byte[27])).isInstanceOf(AEADBadTagException.class);
    }

    @Test
    @DisplayName("opens the same object several times in a row, and at an offset inside a larger array")
    void sameObjectTwiceAndOffset() throws Exception {
        byte[] plain = bytes(5000, 2);
        byte[] sealed = sealer.seal(plain);
        assertThat(sealer.open(sealed)).isEqualTo(plain);
        assertThat(sealer.open(sealed)).isEqualTo(plain);
        byte[] larger = new byte[sealed.length + 100];
        System.arraycopy(sealed, 0, larger, 40, sealed.length);
        assertThat(sealer.open(larger, 40, sealed.length)).isEqualTo(plain);
        assertThat(Arrays.equals(sealer.seal(plain), sealed)).isFalse();
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
