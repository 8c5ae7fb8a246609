package io.restorekit.repository;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;

/** An object is missing or damaged (failed authentication, wrong id, truncated) (exit 3). */
public class RepositoryCorruptException extends RkException {
    public RepositoryCorruptException(String message) {
        super(ErrorCode.PROBLEMS_FOUND, message);
    }

    public RepositoryCorruptException(String message, Throwable cause) {
        super(ErrorCode.PROBLEMS_FOUND, message, cause);
    }
}
