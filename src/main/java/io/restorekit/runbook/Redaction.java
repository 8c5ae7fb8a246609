package io.restorekit.runbook;

import java.util.regex.Pattern;

/** Hides secrets that a step's command line or output may carry before they reach the audit trail or the evidence. */
final class Redaction {
    private static final Pattern PARAMETER = Pattern.compile("(?i)\\b(password|passwd|pwd|secret|token|access[-_]?key)=([^&\\s;]+)");
    private static final Pattern USER_INFO = Pattern.compile("(://[^/:@\\s]+):([^@/\\s]+)@");

    private Redaction() {
    }

    /** {@code jdbc:postgresql://h/db?password=x} → {@code ...password=***}; {@code https://u:p@h} → {@code https://u:***@h}. */
    static String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = PARAMETER.matcher(text).replaceAll("$1=***");
        return USER_INFO.matcher(out).replaceAll("$1:***@");
    }
}
