package io.restorekit.daemon;

import java.time.Instant;

/** When a schedule next fires: a cron expression evaluated by the configuration layer. */
@FunctionalInterface
public interface Trigger {
    /** The first firing strictly after {@code after}; null when it never fires again. */
    Instant next(Instant after);
}
