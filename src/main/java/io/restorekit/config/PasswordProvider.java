package io.restorekit.config;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Where repository passwords come from: {@code RK_PASSWORD}, else the first line of
 * {@code RK_PASSWORD_FILE}, else a prompt without echo when a terminal is attached, else a clear
 * error (exit 5). New passwords ({@code key add}, {@code key passwd}, {@code init}) come from
 * {@code RK_NEW_PASSWORD} or are prompted twice.
 */
public final class PasswordProvider {
    /** Reads a secret from the operator without echo; null when nobody can be asked. */
    public interface Prompt {
        char[] readSecret(String prompt);
    }

    private final Map<String, String> env;
    private final Prompt prompt;

    public PasswordProvider(Map<String, String> env, Prompt prompt) {
        this.env = Map.copyOf(env);
        this.prompt = prompt;
    }

    /** Over this process's environment, prompting on the console when there is one. */
    public static PasswordProvider fromEnvironment() {
        return new PasswordProvider(System.getenv(), message -> {
            Console console = System.console();
            return console == null ? null : console.readPassword("%s", message);
        });
    }

    /** The password of the repository at {@code location}. */
    public char[] password(String location) {
        String direct = env.get("RK_PASSWORD");
        if (direct != null && !direct.isEmpty()) {
            return direct.toCharArray();
        }
        String file = env.get("RK_PASSWORD_FILE");
        if (file != null && !file.isEmpty()) {
            return firstLine(Path.of(file));
        }
        char[] typed = prompt.readSecret("password for repository " + location + ": ");
        if (typed == null) {
            throw new RkException(ErrorCode.WRONG_PASSWORD, "no repository password: set RK_PASSWORD or RK_PASSWORD_FILE");
        }
        return typed;
    }

    /**
     * The passphrase offline exports are encrypted with: {@code RK_EXPORT_PASSWORD} or
     * {@code RK_EXPORT_PASSWORD_FILE}, otherwise the password of the repository at {@code location}.
     */
    public char[] exportPassphrase(String location) {
        String direct = env.get("RK_EXPORT_PASSWORD");
        if (direct != null && !direct.isEmpty()) {
            return direct.toCharArray();
        }
        String file = env.get("RK_EXPORT_PASSWORD_FILE");
        if (file != null && !file.isEmpty()) {
            return firstLine(Path.of(file));
        }
        return password(location);
    }

    /** A new password for {@code purpose} ("the new repository", "the new key"), typed twice when prompted. */
    public char[] newPassword(String purpose) {
        String direct = env.get("RK_NEW_PASSWORD");
        if (direct != null && !direct.isEmpty()) {
            return direct.toCharArray();
        }
        char[] first = prompt.readSecret("new password for " + purpose + ": ");
        if (first == null) {
            throw new RkException(ErrorCode.BAD_INPUT, "no new password for " + purpose
                    + ": set RK_NEW_PASSWORD or run this command in a terminal");
        }
        if (first.length == 0) {
            throw new RkException(ErrorCode.BAD_INPUT, "the new password is empty; nothing was changed");
        }
        char[] second = prompt.readSecret("repeat the new password: ");
        boolean same = Arrays.equals(first, second);
        if (second != null) {
            Arrays.fill(second, '\0');
        }
        if (!same) {
            Arrays.fill(first, '\0');
            throw new RkException(ErrorCode.BAD_INPUT, "the two passwords differ; nothing was changed");
        }
        return first;
    }

    private static char[] firstLine(Path file) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line = in.readLine();
            if (line == null || line.isEmpty()) {
                throw new RkException(ErrorCode.WRONG_PASSWORD, "RK_PASSWORD_FILE '" + file
                        + "' is empty; put the repository password on its first line");
            }
            return line.toCharArray();
        } catch (IOException e) {
            throw new RkException(ErrorCode.BAD_INPUT, "RK_PASSWORD_FILE '" + file + "' cannot be read ("
                    + e.getClass().getSimpleName() + "); check the path and its permissions");
        }
    }
}
