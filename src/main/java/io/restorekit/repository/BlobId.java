package io.restorekit.repository;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.restorekit.common.Hex;

import java.nio.ByteBuffer;

/**
 * The 32-byte keyed id of a blob (HMAC-SHA-256 of its plaintext), compact as four longs. In JSON it
 * is its 64-character hex string.
 */
public record BlobId(long a, long b, long c, long d) implements Comparable<BlobId> {

    public static BlobId of(byte[] bytes) {
        if (bytes.length != 32) {
            throw new IllegalArgumentException("a blob id has 32 bytes, not " + bytes.length);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        return new BlobId(buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong());
    }

    @JsonCreator
    public static BlobId parse(String hex) {
        return of(Hex.decode(hex));
    }

    public byte[] bytes() {
        return ByteBuffer.allocate(32).putLong(a).putLong(b).putLong(c).putLong(d).array();
    }

    @JsonValue
    public String hex() {
        return Hex.encode(bytes());
    }

    /** The first 8 hex characters, for messages. */
    public String shortHex() {
        return hex().substring(0, 8);
    }

    @Override
    public int compareTo(BlobId o) {
        int r = Long.compareUnsigned(a, o.a);
        if (r == 0) r = Long.compareUnsigned(b, o.b);
        if (r == 0) r = Long.compareUnsigned(c, o.c);
        if (r == 0) r = Long.compareUnsigned(d, o.d);
        return r;
    }

    @Override
    public String toString() {
        return hex();
    }
}
