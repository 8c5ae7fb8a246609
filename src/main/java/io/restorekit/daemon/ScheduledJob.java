package io.restorekit.daemon;

/**
 * A job the daemon runs when its schedule ({@code schedule.<name>}) comes due. Implementations
 * record their own runs in the catalog; the daemon only logs them. Jobs run one at a time.
 */
public interface ScheduledJob {
    /** The schedule key it answers to: {@code backup}, {@code verify}, {@code drill}, {@code forget}, ... */
    String name();

    /**
     * Runs the job once. A job that is interrupted (the daemon is stopping) should stop at the next
     * safe point and leave nothing half-done behind; its exception is logged, never fatal.
     */
    JobOutcome run() throws Exception;
}
