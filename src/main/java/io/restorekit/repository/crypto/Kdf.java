package io.restorekit.repository.crypto;

import io.restorekit.repository.RepositoryOptions.KdfParams;
import org.bouncycastle.crypto.generators.SCrypt;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Memory-hard password hashing: Argon2id or scrypt, deriving the 32-byte key that wraps the master key. */
public final class Kdf {
    public static final String ARGON2ID = "argon2id";
    public static final String SCRYPT = "scrypt";

    private Kdf() {
    }

    /**
     * Loads the native Argon2id library now (when it is there): that costs a tenth of a second in a
     * fresh JVM, which a caller can spend on another thread while it reads its configuration, so
     * that the first derivation does not wait for it.
     */
    public static void prepare() {
        NativeArgon2id.available();
    }

    public static byte[] derive(KdfParams params, char[] password, byte[] salt) {
        byte[] pw = utf8(password);
        try {
            return switch (params.algorithm()) {
                case ARGON2ID -> NativeArgon2id.available() && pw.length > 0
                        ? NativeArgon2id.hash(pw, salt, params.memoryKib(), params.iterations(), params.parallelism(), 32)
                        : Argon2id.hash(pw, salt, params.memoryKib(), params.iterations(), params.parallelism(), 32);
                case SCRYPT -> SCrypt.generate(pw, salt, params.memoryKib(), params.iterations(),
                        params.parallelism(), 32);
                default -> throw new IllegalArgumentException("unknown key derivation '" + params.algorithm()
                        + "'; expected argon2id or scrypt");
            };
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }

    private static byte[] utf8(char[] password) {
        ByteBuffer buf = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        if (buf.hasArray()) {
            Arrays.fill(buf.array(), (byte) 0);
        }
        return out;
    }
}
