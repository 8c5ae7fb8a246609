package io.restorekit.repository.crypto;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;

/** HMAC-SHA-256 with the repository's mac key: blob ids that reveal nothing about content. Thread-safe. */
public final class KeyedHash {
    // Small pieces reach the SHA-256 intrinsic early in a fresh JVM (see Sha256).
    private static final int PIECE = 4 << 10;

    private final ThreadLocal<Mac> mac;
    private final byte[] key;

    public KeyedHash(byte[] key) {
        this.key = key.clone();
        SecretKeySpec spec = new SecretKeySpec(key, "HmacSHA256");
        this.mac = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(spec);
                return m;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HMAC-SHA-256 is not available: " + e.getMessage(), e);
            }
        });
    }

    /** The 32-byte HMAC of {@code data[off, off+len)}. */
    public byte[] hash(byte[] data, int off, int len) {
        if (OpenSsl.available()) {
            return OpenSsl.hmacSha256(key, data, off, len);
        }
        Mac m = mac.get();
        int end = off + len;
        for (int p = off; p < end; p += PIECE) {
            m.update(data, p, Math.min(PIECE, end - p));
        }
        return m.doFinal();
    }
}
