package io.restorekit.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The content of an object to save: its length and a way to read it, as often as needed (a
 * retrying wrapper opens it again). Never a one-shot stream.
 */
public interface Payload {
    long length();

    InputStream open() throws IOException;

    static Payload of(byte[] bytes) {
        return new Bytes(bytes);
    }

    static Payload of(Path file) throws IOException {
        long size = Files.size(file);
        return new Payload() {
            @Override
            public long length() {
                return size;
            }

            @Override
            public InputStream open() throws IOException {
                return Files.newInputStream(file);
            }
        };
    }

    /** A payload held in memory; backends may use {@link #bytes()} directly. */
    record Bytes(byte[] bytes) implements Payload {
        @Override
        public long length() {
            return bytes.length;
        }

        @Override
        public InputStream open() {
            return new ByteArrayInputStream(bytes);
        }
    }
}
