package io.restorekit.repository;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;

/** No key file of the repository opens with the given password (exit 5). */
public class WrongPasswordException extends RkException {
    public WrongPasswordException(String message) {
        super(ErrorCode.WRONG_PASSWORD, message);
    }
}
