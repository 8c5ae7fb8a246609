package io.restorekit.storage;

import java.io.IOException;

/** The object does not exist. */
public class ObjectNotFoundException extends IOException {
    public ObjectNotFoundException(String message) {
        super(message);
    }

    public ObjectNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
