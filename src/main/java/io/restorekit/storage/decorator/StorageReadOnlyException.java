package io.restorekit.storage.decorator;

import java.io.IOException;

/** A write was asked of a storage opened read-only; retrying cannot change that. */
public class StorageReadOnlyException extends IOException {
    public StorageReadOnlyException(String message) {
        super(message);
    }
}
