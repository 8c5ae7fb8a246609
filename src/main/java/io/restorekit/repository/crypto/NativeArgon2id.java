package io.restorekit.repository.crypto;

import de.mkammerer.argon2.Argon2Advanced;
import de.mkammerer.argon2.Argon2Factory;
import de.mkammerer.argon2.Argon2Version;

/**
 * Argon2id through the reference C implementation (libargon2, shipped for the common platforms).
 * A fresh JVM runs the Java version interpreted or half-compiled for most of a derivation, which
 * made opening a repository cost up to seconds; the native one takes a fraction of that. Where the
 * library cannot be loaded, {@link #available()} is false and the Java version is used.
 */
final class NativeArgon2id {
    private static final Argon2Advanced ARGON2 = load();

    private NativeArgon2id() {
    }

    static boolean available() {
        return ARGON2 != null;
    }

    static byte[] hash(byte[] password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
        return ARGON2.rawHashAdvanced(iterations, memoryKib, parallelism, password, salt, null, null, length,
                Argon2Version.V13);
    }

    private static Argon2Advanced load() {
        if (Boolean.getBoolean("rk.argon2.java")) {
            return null;
        }
        NativeSearchPath.prepare();
        try {
            return Argon2Factory.createAdvanced(Argon2Factory.Argon2Types.ARGON2id);
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
    }
}
