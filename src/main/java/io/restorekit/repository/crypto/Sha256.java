package io.restorekit.repository.crypto;

import io.restorekit.common.Hex;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 of stored bytes: the name of every object (§1). */
public final class Sha256 {
    private Sha256() {
    }

    public static byte[] digest(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String hex(byte[] data) {
        return Hex.encode(digest(data));
    }
}
