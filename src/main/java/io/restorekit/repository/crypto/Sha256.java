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
        return digest(data, 0, data.length);
    }

    /** The SHA-256 of {@code data[off, off+len)}: through OpenSSL where it is available (see {@link OpenSsl}). */
    public static byte[] digest(byte[] data, int off, int len) {
        if (OpenSsl.available()) {
            return OpenSsl.sha256(data, off, len);
        }
        MessageDigest sha = newDigest();
        update(sha, data, off, len);
        return sha.digest();
    }

    /** A running SHA-256 over pieces (through OpenSSL where it is available); not thread-safe. */
    public static Stream stream() {
        return OpenSsl.available() ? new Stream(new OpenSsl.Sha256Stream(), null) : new Stream(null, newDigest());
    }

    /** See {@link #stream()}. */
    public static final class Stream {
        private final OpenSsl.Sha256Stream openSsl;
        private final MessageDigest jdk;

        private Stream(OpenSsl.Sha256Stream nativeStream, MessageDigest jdk) {
            this.openSsl = nativeStream;
            this.jdk = jdk;
        }

        public void update(byte[] data, int off, int len) {
            if (openSsl != null) {
                openSsl.update(data, off, len);
            } else {
                Sha256.update(jdk, data, off, len);
            }
        }

        /** The digest of everything fed since the last call; the stream starts over. */
        public byte[] digest() {
            return openSsl != null ? openSsl.digest() : jdk.digest();
        }
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
