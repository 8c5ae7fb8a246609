package io.restorekit.storage;

import java.io.IOException;

/** The object already exists; objects are never overwritten. */
public class ObjectExistsException extends IOException {
    public ObjectExistsException(String message) {
        super(message);
    }

    public ObjectExistsException(String message, Throwable cause) {
        super(message, cause);
    }
}
