package io.restorekit.repository;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;

/** Another operation holds a conflicting lock (exit 4); the message names the holder. */
public class RepositoryLockedException extends RkException {
    public RepositoryLockedException(String message) {
        super(ErrorCode.LOCKED, message);
    }
}
