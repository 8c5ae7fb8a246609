package io.restorekit.daemon;

import java.time.Instant;

/** Evaluates the alert rules; the daemon calls it after every job and at a fixed interval. */
@FunctionalInterface
public interface AlertHook {
    AlertHook NONE = now -> {
    };

    void evaluate(Instant now);
}
