package io.restorekit.storage;

import java.io.IOException;

/** The storage cannot be reached (network, mount, permissions of its location). */
public class StorageUnavailableException extends IOException {
    public StorageUnavailableException(String message) {
        super(message);
    }

    public StorageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
