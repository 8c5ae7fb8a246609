package io.restorekit.common;

/** The operator asked for something that does not exist or does not parse (exit 2). */
public class BadInputException extends RkException {
    public BadInputException(String message) {
        super(ErrorCode.BAD_INPUT, message);
    }
}
