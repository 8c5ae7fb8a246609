package io.restorekit.shell;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.core.convert.ConversionException;
import org.springframework.shell.CommandNotCurrentlyAvailable;
import org.springframework.shell.CommandNotFound;
import org.springframework.shell.ExitRequest;
import org.springframework.shell.ParameterValidationException;
import org.springframework.shell.command.CommandExecution;
import org.springframework.shell.command.CommandParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the operator is told when a command fails, and with which exit code (DESIGN.md §3).
 *
 * @param message one line for {@code rk: <message>} on stderr; null when it was already printed
 */
public record Failure(int exitCode, String message) {
    private static final Pattern CONVERSION = Pattern.compile(
            "Illegal option value '(.*)', reason 'Failed to convert from type \\[.*?] to type \\[(?:.*\\.)?([^.\\]]+)].*",
            Pattern.DOTALL);

    /** Maps anything thrown while running a command: the first meaningful cause in the chain wins. */
    public static Failure of(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RkException rk) {
                return new Failure(rk.code().exitCode(), rk.getMessage());
            }
        }
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ExitRequest exit) {
                return new Failure(exit.status(), null);
            }
            if (t instanceof CommandNotFound notFound) {
                return badInput("unknown command '" + String.join(" ", notFound.getWords().stream()
                        .takeWhile(w -> !w.startsWith("-")).limit(3).toList())
                        + "'; run 'rk help' for the list of commands");
            }
            if (t instanceof CommandExecution.CommandParserExceptionsException parse) {
                return badInput(parse.getParserExceptions().stream().map(Failure::parserMessage)
                        .collect(Collectors.joining("; ")));
            }
            if (t instanceof ParameterValidationException invalid) {
                return badInput(invalid.getConstraintViolations().stream()
                        .map(v -> v.getPropertyPath() + " " + v.getMessage()).collect(Collectors.joining("; ")));
            }
            if (t instanceof ConversionException conversion) {
                return badInput(conversion.getMostSpecificCause().getMessage() == null ? conversion.getMessage()
                        : "invalid value: " + conversion.getMostSpecificCause().getMessage());
            }
            if (t instanceof CommandNotCurrentlyAvailable unavailable) {
                return new Failure(ErrorCode.FAILED.exitCode(), unavailable.getMessage());
            }
            if (t instanceof ExitCodeGenerator generator && t.getCause() == null) {
                // The resolver has printed the message already; only the code travels here.
                return new Failure(generator.getExitCode(), null);
            }
        }
        Throwable root = thrown;
        while (root.getCause() != null && root.getCause() != root
                && (root.getMessage() == null || root instanceof UncheckedIOException || isWrapper(root))) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (root instanceof IOException && message != null) {
            message = root.getClass().getSimpleName() + ": " + message;
        }
        return new Failure(ErrorCode.FAILED.exitCode(), message == null ? root.getClass().getName() : message);
    }

    private static boolean isWrapper(Throwable t) {
        return t.getClass() == IllegalStateException.class && t.getMessage() != null
                && t.getMessage().startsWith("Failed to execute");
    }

    private static Failure badInput(String message) {
        return new Failure(ErrorCode.BAD_INPUT.exitCode(), message);
    }

    private static String parserMessage(CommandParser.CommandParserException e) {
        String message = e.getMessage();
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        Matcher m = CONVERSION.matcher(message);
        return m.matches() ? "invalid value '" + m.group(1) + "' (expected " + m.group(2) + ")" : message;
    }
}
