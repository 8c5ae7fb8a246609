package io.restorekit.notify;

/**
 * One message to operators.
 *
 * @param state   {@code firing}, {@code resolved} or {@code info} (a success summary)
 * @param key     the alert key, or null for a summary
 * @param subject one line: the mail subject, the first line of a chat message
 * @param body    plain text: what happened, the error, what to check
 */
public record Notice(String state, String key, String kind, String severity, String subject, String body) {

    /** Subject and body as one chat message. */
    public String text() {
        return subject + "\n" + body;
    }
}
