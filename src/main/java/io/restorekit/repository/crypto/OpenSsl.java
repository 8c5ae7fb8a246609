package io.restorekit.repository.crypto;

import io.restorekit.common.Hex;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;

/**
 * AES-256-GCM, SHA-256 and HMAC-SHA-256 through the system's OpenSSL 3 library (libcrypto), called
 * through JNA. The JDK's versions of these run interpreted or half-compiled until the JIT compiler
 * reaches them, which on a busy machine takes seconds of a restore, a backup or a verify; OpenSSL's
 * use the CPU's AES, carry-less multiply and SHA instructions from the first byte. Where the
 * library cannot be loaded (or {@code -Drk.crypto.java=true}), {@link #available()} is false and
 * the JDK's versions are used. The bytes are the same either way.
 *
 * <p>JNA's direct mapping binds the {@code native} methods below (JNA is a run-time dependency,
 * reached by reflection); pointers are {@code long}s, data passes in direct buffers.
 *
 * <p>Each thread keeps its own cipher and digest contexts and native buffers, grown to the largest
 * piece met (at most 1 MiB: larger objects pass in pieces) and reused.
 */
final class OpenSsl {
    private static final int EVP_CTRL_GCM_GET_TAG = 0x10;
    private static final int EVP_CTRL_GCM_SET_TAG = 0x11;
    private static final int PIECE = 1 << 20;
    private static final Cleaner CLEANER = Cleaner.create();
    private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);
    // Last: the self-test uses the fields above.
    private static final boolean AVAILABLE = load();

    private OpenSsl() {
    }

    static boolean available() {
        return AVAILABLE;
    }

    private static boolean load() {
        if (Boolean.getBoolean("rk.crypto.java")) {
            return false;
        }
        // The versioned name opens directly; the plain one makes JNA search its folders.
        NativeSearchPath.prepare();
        String named = System.getProperty("rk.crypto.library");
        for (String library : named != null ? new String[] {named} : new String[] {"libcrypto.so.3", "crypto"}) {
            try {
                Class.forName("com.sun.jna.Native").getMethod("register", Class.class, String.class)
                        .invoke(null, OpenSsl.class, library);
                // OpenSSL 3 only: older versions name some of these functions differently.
                return OpenSSL_version_num() >= 0x30000000L && selfTest();
            } catch (LinkageError | ReflectiveOperationException | RuntimeException e) {
                // the next name, or the JDK's code
            }
        }
        return false;
    }

    // The known-answer test of NIST GCM test case 14 (AES-256, zero key and nonce, 16 zero bytes),
    // so that a library that loads but computes something else is never used.
    private static boolean selfTest() {
        byte[] out = new byte[16 + 16];
        seal(new byte[32], new byte[12], new byte[16], 0, 16, out, 0);
        return Hex.encode(out).equals(
                "cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919");
    }

    /**
     * Seals {@code plain[off, off+len)} with AES-256-GCM under {@code key} and {@code nonce} into
     * {@code out[at, at+len+16)}: ciphertext, then tag.
     */
    static void seal(byte[] key, byte[] nonce, byte[] plain, int off, int len, byte[] out, int at) {
        Work w = WORK.get();
        check(EVP_EncryptInit_ex(w.cipher, EVP_aes_256_gcm(), 0, key, nonce), "EVP_EncryptInit_ex");
        update(w, OpenSsl::EVP_EncryptUpdate, "EVP_EncryptUpdate", plain, off, len, out, at);
        // GCM has no padding: the final call writes nothing.
        check(EVP_EncryptFinal_ex(w.cipher, w.spare, w.length), "EVP_EncryptFinal_ex");
        byte[] tag = new byte[16];
        check(EVP_CIPHER_CTX_ctrl(w.cipher, EVP_CTRL_GCM_GET_TAG, 16, tag), "EVP_CIPHER_CTX_ctrl");
        System.arraycopy(tag, 0, out, at + len, 16);
    }

    /**
     * Opens {@code sealed[off, off+len)} (ciphertext then the 16-byte tag) under {@code key} and
     * {@code nonce} into {@code out[at, at+len-16)}; false, with that range of {@code out} zeroed,
     * when the tag does not match.
     */
    static boolean open(byte[] key, byte[] nonce, byte[] sealed, int off, int len, byte[] out, int at) {
        int plain = len - 16;
        Work w = WORK.get();
        check(EVP_DecryptInit_ex(w.cipher, EVP_aes_256_gcm(), 0, key, nonce), "EVP_DecryptInit_ex");
        update(w, OpenSsl::EVP_DecryptUpdate, "EVP_DecryptUpdate", sealed, off, plain, out, at);
        byte[] tag = java.util.Arrays.copyOfRange(sealed, off + plain, off + len);
        check(EVP_CIPHER_CTX_ctrl(w.cipher, EVP_CTRL_GCM_SET_TAG, 16, tag), "EVP_CIPHER_CTX_ctrl");
        if (EVP_DecryptFinal_ex(w.cipher, w.spare, w.length) != 1) {
            // what was decrypted is not authentic: nothing of it stays
            java.util.Arrays.fill(out, at, at + plain, (byte) 0);
            return false;
        }
        return true;
    }

    /** {@code EVP_EncryptUpdate} or {@code EVP_DecryptUpdate}. */
    @FunctionalInterface
    private interface CipherUpdate {
        int apply(long ctx, ByteBuffer out, int[] outLength, ByteBuffer in, int inLength);
    }

    /**
     * Runs the cipher of {@code w} over {@code src[off, off+len)} into {@code out[at, at+len)} in
     * pieces: the thread's native buffers stay at a piece, however large the blob. GCM writes as
     * many bytes as it reads.
     */
    private static void update(Work w, CipherUpdate update, String what, byte[] src, int off, int len, byte[] out,
                               int at) {
        int[] n = w.length;
        for (int p = 0; p < len; p += PIECE) {
            int piece = Math.min(PIECE, len - p);
            ByteBuffer in = w.in(src, off + p, piece);
            ByteBuffer result = w.out(piece);
            n[0] = 0;
            check(update.apply(w.cipher, result, n, in, piece) == 1 && n[0] == piece ? 1 : 0, what);
            result.get(0, out, at + p, piece);
        }
    }

    /** HMAC-SHA-256 of {@code data[off, off+len)} under {@code key}. */
    static byte[] hmacSha256(byte[] key, byte[] data, int off, int len) {
        if (len <= PIECE || key.length > 64) {
            ByteBuffer in = WORK.get().in(data, off, len);
            byte[] md = new byte[32];
            if (HMAC(EVP_sha256(), key, key.length, in, len, md, null) == 0) {
                throw new IllegalStateException("OpenSSL HMAC failed");
            }
            return md;
        }
        // Larger blobs in pieces, as RFC 2104 defines it over SHA-256 (64-byte blocks): the thread's
        // native buffer stays at a piece.
        byte[] pad = new byte[64];
        for (int i = 0; i < 64; i++) {
            pad[i] = (byte) ((i < key.length ? key[i] : 0) ^ 0x36);
        }
        Work w = WORK.get();
        if (w.sha == null) {
            w.sha = new Sha256Stream();
        }
        w.sha.update(pad, 0, 64);
        for (int p = 0; p < len; p += PIECE) {
            w.sha.update(data, off + p, Math.min(PIECE, len - p));
        }
        byte[] inner = w.sha.digest();
        for (int i = 0; i < 64; i++) {
            pad[i] = (byte) ((i < key.length ? key[i] : 0) ^ 0x5c);
        }
        w.sha.update(pad, 0, 64);
        w.sha.update(inner, 0, 32);
        return w.sha.digest();
    }

    /** SHA-256 of {@code data[off, off+len)}. */
    static byte[] sha256(byte[] data, int off, int len) {
        if (len <= PIECE) {
            ByteBuffer in = WORK.get().in(data, off, len);
            byte[] md = new byte[32];
            check(EVP_Digest(in, len, md, null, EVP_sha256(), 0), "EVP_Digest");
            return md;
        }
        // Whole packs (16 MiB) in pieces: the thread's native buffer stays at the size of a chunk.
        Work w = WORK.get();
        if (w.sha == null) {
            w.sha = new Sha256Stream();
        }
        for (int p = 0; p < len; p += PIECE) {
            w.sha.update(data, off + p, Math.min(PIECE, len - p));
        }
        return w.sha.digest();
    }

    /** A running SHA-256 over pieces; not thread-safe. */
    static final class Sha256Stream {
        private final long ctx;

        Sha256Stream() {
            long c = EVP_MD_CTX_new();
            if (c == 0) {
                throw new OutOfMemoryError("EVP_MD_CTX_new");
            }
            check(EVP_DigestInit_ex(c, EVP_sha256(), 0), "EVP_DigestInit_ex");
            this.ctx = c;
            CLEANER.register(this, () -> EVP_MD_CTX_free(c));
        }

        void update(byte[] data, int off, int len) {
            if (len == 0) {
                return;
            }
            check(EVP_DigestUpdate(ctx, WORK.get().in(data, off, len), len), "EVP_DigestUpdate");
        }

        /** The digest; the stream starts over. */
        byte[] digest() {
            byte[] md = new byte[32];
            check(EVP_DigestFinal_ex(ctx, md, null), "EVP_DigestFinal_ex");
            check(EVP_DigestInit_ex(ctx, EVP_sha256(), 0), "EVP_DigestInit_ex");
            return md;
        }
    }

    private static void check(int result, String what) {
        if (result != 1) {
            throw new IllegalStateException("OpenSSL " + what + " failed");
        }
    }

    /** One thread's cipher context and native buffers. */
    private static final class Work {
        final long cipher;
        final int[] length = new int[1];
        final ByteBuffer spare = ByteBuffer.allocateDirect(64);
        Sha256Stream sha;
        private ByteBuffer in = ByteBuffer.allocateDirect(64 << 10);
        private ByteBuffer out = ByteBuffer.allocateDirect(64 << 10);

        Work() {
            long c = EVP_CIPHER_CTX_new();
            if (c == 0) {
                throw new OutOfMemoryError("EVP_CIPHER_CTX_new");
            }
            this.cipher = c;
            CLEANER.register(this, () -> EVP_CIPHER_CTX_free(c));
        }

        /** The input buffer holding a copy of {@code data[off, off+len)}. */
        ByteBuffer in(byte[] data, int off, int len) {
            if (in.capacity() < len) {
                in = ByteBuffer.allocateDirect(grown(len));
            }
            in.put(0, data, off, len);
            return in;
        }

        ByteBuffer out(int size) {
            if (out.capacity() < size) {
                out = ByteBuffer.allocateDirect(grown(size));
            }
            return out;
        }

        // Pieces are at most 1 MiB: steps of 1 MiB keep the buffers few and close to need.
        private static int grown(int size) {
            return (int) Math.min(Integer.MAX_VALUE - 16, ((long) size + (1 << 20) - 1) >>> 20 << 20);
        }
    }

    private static native long OpenSSL_version_num();

    private static native long EVP_aes_256_gcm();

    private static native long EVP_sha256();

    private static native long EVP_CIPHER_CTX_new();

    private static native void EVP_CIPHER_CTX_free(long ctx);

    private static native int EVP_CIPHER_CTX_ctrl(long ctx, int type, int arg, byte[] ptr);

    private static native int EVP_EncryptInit_ex(long ctx, long cipher, long engine, byte[] key, byte[] iv);

    private static native int EVP_EncryptUpdate(long ctx, ByteBuffer out, int[] outLength, ByteBuffer in, int inLength);

    private static native int EVP_EncryptFinal_ex(long ctx, ByteBuffer out, int[] outLength);

    private static native int EVP_DecryptInit_ex(long ctx, long cipher, long engine, byte[] key, byte[] iv);

    private static native int EVP_DecryptUpdate(long ctx, ByteBuffer out, int[] outLength, ByteBuffer in, int inLength);

    private static native int EVP_DecryptFinal_ex(long ctx, ByteBuffer out, int[] outLength);

    private static native long HMAC(long md, byte[] key, int keyLength, ByteBuffer data, long length, byte[] out,
                                    int[] outLength);

    private static native int EVP_Digest(ByteBuffer data, long length, byte[] md, int[] mdLength, long type,
                                         long engine);

    private static native long EVP_MD_CTX_new();

    private static native void EVP_MD_CTX_free(long ctx);

    private static native int EVP_DigestInit_ex(long ctx, long type, long engine);

    private static native int EVP_DigestUpdate(long ctx, ByteBuffer data, long length);

    private static native int EVP_DigestFinal_ex(long ctx, byte[] md, int[] mdLength);
}
