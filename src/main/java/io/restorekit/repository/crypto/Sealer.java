package io.restorekit.repository.crypto;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * Authenticated encryption with one 32-byte key: {@code seal(p) = nonce(12) || AES-256-GCM(p) || tag(16)},
 * a fresh random nonce per call, no associated data (docs/repository-format.md §3). Thread-safe.
 */
public final class Sealer {
    public static final int NONCE = 12;
    public static final int TAG = 16;
    /** Bytes a sealed object adds to its plaintext. */
    public static final int OVERHEAD = NONCE + TAG;

    // Feeding GCM in pieces lets the JIT reach its AES/GHASH intrinsics quickly; a single huge
    // doFinal stays slow for a long time.
    private static final int PIECE = 64 << 10;
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(SecureRandom::new);

    private final SecretKeySpec key;
    private final ThreadLocal<Cipher> cipher = ThreadLocal.withInitial(Sealer::newCipher);

    public Sealer(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("an AES-256 key has 32 bytes, not " + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    public byte[] seal(byte[] plaintext) {
        return seal(plaintext, 0, plaintext.length);
    }

    public byte[] seal(byte[] plaintext, int off, int len) {
        byte[] out = new byte[NONCE + len + TAG];
        byte[] nonce = new byte[NONCE];
        RANDOM.get().nextBytes(nonce);
        System.arraycopy(nonce, 0, out, 0, NONCE);
        try {
            Cipher c = cipher.get();
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG * 8, out, 0, NONCE));
            int pos = NONCE;
            int end = off + len;
            for (int p = off; p < end; p += PIECE) {
                pos += c.update(plaintext, p, Math.min(PIECE, end - p), out, pos);
            }
            pos += c.doFinal(out, pos);
            if (pos != out.length) {
                throw new IllegalStateException("sealed " + pos + " bytes, expected " + out.length);
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not usable: " + e.getMessage(), e);
        }
    }

    public byte[] open(byte[] sealed) throws AEADBadTagException {
        return open(sealed, 0, sealed.length);
    }

    /** Opens a sealed object; {@link AEADBadTagException} when it is damaged or sealed with another key. */
    public byte[] open(byte[] sealed, int off, int len) throws AEADBadTagException {
        if (len < OVERHEAD) {
            throw new AEADBadTagException("sealed object of " + len + " bytes is too short");
        }
        byte[] out = new byte[len - OVERHEAD];
        try {
            Cipher c = cipher.get();
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG * 8, sealed, off, NONCE));
            int pos = 0;
            int end = off + len;
            for (int p = off + NONCE; p < end; p += PIECE) {
                pos += c.update(sealed, p, Math.min(PIECE, end - p), out, pos);
            }
            pos += c.doFinal(out, pos);
            if (pos != out.length) {
                throw new IllegalStateException("opened " + pos + " bytes, expected " + out.length);
            }
            return out;
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not usable: " + e.getMessage(), e);
        }
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }
}
