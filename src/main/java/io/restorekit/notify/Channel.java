package io.restorekit.notify;

/** Where notices go: e-mail, a webhook. */
public interface Channel {
    /** Delivers {@code notice}; throws when it could not (the caller logs it and carries on). */
    void send(Notice notice) throws Exception;

    /** For logs: the destination without secrets. */
    String describe();
}
