package io.restorekit.repository.crypto;

import io.restorekit.common.Hex;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 of stored bytes: the name of every object (§1). */
public final class Sha256 {
    private Sha256() {
    }

    // The JIT replaces the digest's block loop with SHA-NI code only in compiled callers: one call
    // per megabyte stays in the interpreted loop for a long time, many small calls get there fast.
    private static final int PIECE = 4 << 10;

    public static byte[] digest(byte[] data) {
        MessageDigest sha = newDigest();
        update(sha, data, 0, data.length);
        return sha.digest();
    }

    /** A fresh SHA-256 digest. */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Feeds {@code data[off, off+len)} in pieces the JIT compiles early (see above); for any digest or MAC size. */
    public static void update(MessageDigest digest, byte[] data, int off, int len) {
        int end = off + len;
        for (int p = off; p < end; p += PIECE) {
            digest.update(data, p, Math.min(PIECE, end - p));
        }
    }

    public static String hex(byte[] data) {
        return Hex.encode(digest(data));
    }
}
