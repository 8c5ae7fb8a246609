package io.restorekit.common;

/**
 * The one root exception of restorekit. Its message is shown to the operator as is: it names its
 * subject and says what to do. The {@link ErrorCode} decides the process exit code.
 */
public class RkException extends RuntimeException {
    private final ErrorCode code;

    public RkException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public RkException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
