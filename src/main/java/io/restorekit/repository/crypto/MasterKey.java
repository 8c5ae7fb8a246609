package io.restorekit.repository.crypto;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The repository's 64 secret bytes: 32 for AES-256-GCM sealing, 32 for HMAC-SHA-256 blob ids.
 * Created once with the repository and never changed; key files wrap it.
 */
public final class MasterKey {
    private final byte[] encrypt;
    private final byte[] mac;

    public MasterKey(byte[] encrypt, byte[] mac) {
        if (encrypt.length != 32 || mac.length != 32) {
            throw new IllegalArgumentException("master key parts have 32 bytes each");
        }
        this.encrypt = encrypt.clone();
        this.mac = mac.clone();
    }

    public static MasterKey generate() {
        SecureRandom random = new SecureRandom();
        byte[] e = new byte[32];
        byte[] m = new byte[32];
        random.nextBytes(e);
        random.nextBytes(m);
        return new MasterKey(e, m);
    }

    public byte[] encrypt() {
        return encrypt.clone();
    }

    public byte[] mac() {
        return mac.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MasterKey k && Arrays.equals(encrypt, k.encrypt) && Arrays.equals(mac, k.mac);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encrypt);
    }

    @Override
    public String toString() {
        return "MasterKey[redacted]";
    }
}
