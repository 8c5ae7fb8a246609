package io.restorekit.common;

/** The stable exit codes of the command contract (DESIGN.md §3). */
public enum ErrorCode {
    OK(0),
    FAILED(1),
    BAD_INPUT(2),
    PROBLEMS_FOUND(3),
    LOCKED(4),
    WRONG_PASSWORD(5),
    UNREACHABLE(6),
    NOT_PERMITTED(7);

    private final int exitCode;

    ErrorCode(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
