package io.restorekit.repository;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;

/** The storage holds no repository: it has no config object (exit 2). */
public class RepositoryNotFoundException extends RkException {
    public RepositoryNotFoundException(String message) {
        super(ErrorCode.BAD_INPUT, message);
    }
}
