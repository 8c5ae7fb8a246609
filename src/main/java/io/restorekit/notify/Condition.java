package io.restorekit.notify;

/**
 * A problem found by an {@link AlertRules} rule: while it holds, one alert with its {@code key} stays open.
 *
 * @param key      stable while the condition lasts: {@code KIND-subject}, e.g. {@code stale:db}
 * @param severity {@code warning} or {@code critical}
 * @param summary  one line: what is wrong
 * @param detail   the error and the numbers behind it
 * @param check    what the operator should look at
 */
public record Condition(String key, String kind, String subject, String severity, String summary, String detail,
                        String check) {

    public String message() {
        return summary + (detail == null || detail.isBlank() ? "" : ": " + detail);
    }
}
