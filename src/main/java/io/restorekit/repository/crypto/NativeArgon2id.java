package io.restorekit.repository.crypto;

import io.restorekit.common.Hex;

import java.util.Arrays;

/**
 * Argon2id through the reference C implementation (libargon2: the system's, else the one shipped in
 * the argon2-jvm jar for the common platforms). A fresh JVM runs the Java version interpreted or
 * half-compiled for most of a derivation, which made opening a repository cost up to seconds; the
 * native one takes a fraction of that. Where the library cannot be loaded, {@link #available()}
 * is false and the Java version is used.
 *
 * <p>Bound with JNA's direct mapping, as {@link OpenSsl} is: one {@code native} method, no proxy
 * class and no wrapper, which halves what loading costs a fresh JVM on the way of every command
 * that opens a repository. {@code size_t} is passed as a {@code long}, so only where it is 64 bits
 * wide; a known-answer check guards the binding.
 */
final class NativeArgon2id {
    private static final int OK = 0;
    private static final boolean AVAILABLE = load();

    private NativeArgon2id() {
    }

    static boolean available() {
        return AVAILABLE;
    }

    static byte[] hash(byte[] password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
        byte[] out = new byte[length];
        int rc = argon2id_hash_raw(iterations, memoryKib, parallelism, password, password.length, salt, salt.length,
                out, length);
        if (rc != OK) {
            throw new IllegalStateException("argon2id failed with code " + rc + " (m=" + memoryKib + " KiB, t="
                    + iterations + ", p=" + parallelism + ")");
        }
        return out;
    }

    /** {@code argon2id_hash_raw} of argon2.h (version 0x13): the raw hash of {@code hashlen} bytes. */
    private static native int argon2id_hash_raw(int tCost, int mCost, int parallelism, byte[] pwd, long pwdlen,
                                                byte[] salt, long saltlen, byte[] hash, long hashlen);

    private static boolean load() {
        if (Boolean.getBoolean("rk.argon2.java")) {
            return false;
        }
        NativeSearchPath.prepare();
        try {
            Class<?> nativeClass = Class.forName("com.sun.jna.Native");
            if (nativeClass.getField("SIZE_T_SIZE").getInt(null) != 8) {
                return false;
            }
            // The system's versioned name opens directly; the plain one makes JNA search its folders
            // and then the class path (the argon2-jvm jar's copy).
            for (String library : new String[] {"libargon2.so.1", "argon2"}) {
                try {
                    nativeClass.getMethod("register", Class.class, String.class).invoke(null, NativeArgon2id.class,
                            library);
                    return selfTest();
                } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                    // the next name, or the Java version
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // no JNA: the Java version
        }
        return false;
    }

    // A known answer (the Java version's and libargon2's): m=64 KiB, t=2, p=2, password "rk", a
    // salt of sixteen 7s. Computing it with the Java version here would run it interpreted.
    private static boolean selfTest() {
        byte[] salt = new byte[16];
        Arrays.fill(salt, (byte) 7);
        return Hex.encode(hash(new byte[] {'r', 'k'}, salt, 64, 2, 2, 32))
                .equals("6ce6a02b25ee87e246d595052b2ec271109f06b7e5f627c93c8bc29172b01481");
    }
}
