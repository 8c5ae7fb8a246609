package io.restorekit.repository.crypto;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class Argon2idTest {
    @ParameterizedTest(name = "m={0} KiB, t={1}, p={2}, {3} bytes")
    @CsvSource({"8,1,1,32", "32,3,4,32", "64,2,1,16", "1024,1,1,32", "1024,3,2,64", "200,2,3,100", "2048,2,1,32"})
    @DisplayName("the Java and the native (libargon2) versions derive exactly what the BouncyCastle reference derives")
    void matchesReference(int memoryKib, int passes, int lanes, int length) {
        Random random = new Random(memoryKib * 31L + passes * 7L + lanes);
        byte[] password = new byte[random.nextInt(40)];
        byte[] salt = new byte[16];
        random.nextBytes(password);
        random.nextBytes(salt);

        Argon2BytesGenerator reference = new Argon2BytesGenerator();
        reference.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13).withSalt(salt).withMemoryAsKB(memoryKib)
                .withIterations(passes).withParallelism(lanes).build());
        byte[] expected = new byte[length];
        reference.generateBytes(password, expected);

        assertThat(Argon2id.hash(password, salt, memoryKib, passes, lanes, length)).isEqualTo(expected);
        assertThat(NativeArgon2id.available()).as("libargon2 loads on this platform").isTrue();
        if (password.length > 0) { // libargon2 through JNA takes no empty buffer; Kdf uses the Java version then
            assertThat(NativeArgon2id.hash(password, salt, memoryKib, passes, lanes, length)).isEqualTo(expected);
        }
        assertThat(Kdf.derive(new io.restorekit.repository.RepositoryOptions.KdfParams(Kdf.ARGON2ID, memoryKib, passes,
                lanes), new String(password, java.nio.charset.StandardCharsets.ISO_8859_1).toCharArray(), salt))
                .hasSize(32);
    }
}
