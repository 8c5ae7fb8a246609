package io.restorekit.repository.crypto;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Authenticated encryption with one 32-byte key: {@code seal(p) = nonce(12) || AES-256-GCM(p) || tag(16)},
 * a fresh random nonce per call, no associated data (docs/repository-format.md §3). Thread-safe.
 */
public final class Sealer {
    public static final int NONCE = 12;
    public static final int TAG = 16;
    /** Bytes a sealed object adds to its plaintext. */
    public static final int OVERHEAD = NONCE + TAG;

    // Feeding GCM in small pieces lets the JIT reach its AES/GHASH intrinsics within the first
    // megabytes (they apply once the callers are compiled); large pieces stay interpreted for
    // hundreds of megabytes.
    private static final int PIECE = 4 << 10;
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(SecureRandom::new);

    private final SecretKeySpec key;
    private final byte[] rawKey;
    private final ThreadLocal<Cipher> cipher = ThreadLocal.withInitial(() -> newCipher("AES/GCM/NoPadding"));
    private final ThreadLocal<Opener> opener = ThreadLocal.withInitial(Opener::new);

    public Sealer(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("an AES-256 key has 32 bytes, not " + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
        this.rawKey = key.clone();
    }

    public byte[] seal(byte[] plaintext) {
        return seal(plaintext, 0, plaintext.length);
    }

    public byte[] seal(byte[] plaintext, int off, int len) {
        byte[] out = new byte[NONCE + len + TAG];
        seal(plaintext, off, len, out, 0);
        return out;
    }

    /**
     * Seals {@code plaintext[off, off+len)} into {@code out[at, at+len+OVERHEAD)}; the ranges must not overlap.
     *
     * @return the bytes written, {@code len + OVERHEAD}
     */
    public int seal(byte[] plaintext, int off, int len, byte[] out, int at) {
        byte[] nonce = new byte[NONCE];
        RANDOM.get().nextBytes(nonce);
        System.arraycopy(nonce, 0, out, at, NONCE);
        if (OpenSsl.available()) {
            OpenSsl.seal(rawKey, nonce, plaintext, off, len, out, at + NONCE);
            return NONCE + len + TAG;
        }
        try {
            Cipher c = cipher.get();
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG * 8, nonce));
            int pos = at + NONCE;
            int end = off + len;
            for (int p = off; p < end; p += PIECE) {
                pos += c.update(plaintext, p, Math.min(PIECE, end - p), out, pos);
            }
            pos += c.doFinal(out, pos);
            if (pos - at != NONCE + len + TAG) {
                throw new IllegalStateException("sealed " + (pos - at) + " bytes, expected " + (NONCE + len + TAG));
            }
            return pos - at;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not usable: " + e.getMessage(), e);
        }
    }

    public byte[] open(byte[] sealed) throws AEADBadTagException {
        return open(sealed, 0, sealed.length);
    }

    /**
     * Opens a sealed object; {@link AEADBadTagException} when it is damaged or sealed with another key.
     *
     * <p>Through OpenSSL where it is available (see {@link OpenSsl}). Otherwise: the JDK's GCM decryption buffers the whole ciphertext and decrypts it in one call, which
     * stays slow (tens of MB/s) until the JIT has compiled it, and never streams. So this decrypts
     * with AES-CTR from the first data counter (what GCM does), then recomputes the tag by sealing
     * the plaintext again under the same nonce: that yields the same ciphertext and thus the tag
     * GCM decryption would compute. The plaintext is returned only when the tags match.
     */
    public byte[] open(byte[] sealed, int off, int len) throws AEADBadTagException {
        if (len < OVERHEAD) {
            throw new AEADBadTagException("sealed object of " + len + " bytes is too short");
        }
        byte[] out = new byte[len - OVERHEAD];
        open(sealed, off, len, out, 0);
        return out;
    }

    /**
     * Opens {@code sealed[off, off+len)} into {@code out[at, at+len-OVERHEAD)} (the ranges must not
     * overlap); {@link AEADBadTagException} when it is damaged or sealed with another key, and then
     * the output range is zeroed.
     *
     * @return the plaintext length, {@code len - OVERHEAD}
     */
    public int open(byte[] sealed, int off, int len, byte[] out, int at) throws AEADBadTagException {
        if (len < OVERHEAD) {
            throw new AEADBadTagException("sealed object of " + len + " bytes is too short");
        }
        int plain = len - OVERHEAD;
        if (OpenSsl.available()) {
            byte[] nonce = Arrays.copyOfRange(sealed, off, off + NONCE);
            if (!OpenSsl.open(rawKey, nonce, sealed, off + NONCE, len - NONCE, out, at)) {
                Arrays.fill(out, at, at + plain, (byte) 0);
                throw new AEADBadTagException("Tag mismatch");
            }
            return plain;
        }
        try {
            opener.get().open(sealed, off, len, out, at);
            return plain;
        } catch (AEADBadTagException e) {
            Arrays.fill(out, at, at + plain, (byte) 0);
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not usable: " + e.getMessage(), e);
        }
    }

    private final class Opener {
        private final Cipher ctr = newCipher("AES/CTR/NoPadding");
        private final Cipher gcm = newCipher("AES/GCM/NoPadding");
        private final byte[] counter = new byte[16];
        private final byte[] lastNonce = new byte[NONCE];
        private final byte[] scratch = new byte[PIECE + TAG];

        void open(byte[] sealed, int off, int len, byte[] out, int at) throws GeneralSecurityException {
            int plain = len - OVERHEAD;
            // For a 96-bit nonce, J0 = nonce || 1 and the data is encrypted from inc32(J0) = nonce || 2.
            System.arraycopy(sealed, off, counter, 0, NONCE);
            counter[12] = 0;
            counter[13] = 0;
            counter[14] = 0;
            counter[15] = 2;
            ctr.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(counter));
            int dataEnd = off + len - TAG;
            int pos = at;
            for (int p = off + NONCE; p < dataEnd; p += PIECE) {
                pos += ctr.update(sealed, p, Math.min(PIECE, dataEnd - p), out, pos);
            }
            pos += ctr.doFinal(out, pos);
            if (pos - at != plain) {
                throw new IllegalStateException("opened " + (pos - at) + " bytes, expected " + plain);
            }
            // The JDK refuses to encrypt twice in a row with one key and nonce (a safeguard for
            // real encryption); opening the same object twice would trip it.
            if (Arrays.equals(lastNonce, 0, NONCE, sealed, off, off + NONCE)) {
                lastNonce[0] ^= 1;
                gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG * 8, lastNonce, 0, NONCE));
            }
            System.arraycopy(sealed, off, lastNonce, 0, NONCE);
            gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG * 8, lastNonce, 0, NONCE));
            int end = at + plain;
            for (int p = at; p < end; p += PIECE) {
                gcm.update(out, p, Math.min(PIECE, end - p), scratch, 0);
            }
            // doFinal emits the last partial block, if any, then the tag.
            int n = gcm.doFinal(scratch, 0);
            if (n < TAG || !MessageDigest.isEqual(Arrays.copyOfRange(scratch, n - TAG, n),
                    Arrays.copyOfRange(sealed, dataEnd, dataEnd + TAG))) {
                throw new AEADBadTagException("Tag mismatch");
            }
        }
    }

    private static Cipher newCipher(String transformation) {
        try {
            return Cipher.getInstance(transformation);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(transformation + " is not available: " + e.getMessage(), e);
        }
    }
}
