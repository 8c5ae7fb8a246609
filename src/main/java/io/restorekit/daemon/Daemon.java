package io.restorekit.daemon;

import io.restorekit.catalog.RunStatus;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs scheduled jobs until stopped, one at a time (so one repository never sees two of its own
 * jobs at once), in the order given when several are due together (backup before verify and drill).
 * A job whose last recorded run is older than its previous firing was missed while the daemon was
 * down and runs at start. {@link #stop} lets the running job finish within a grace period and then
 * interrupts it.
 */
public final class Daemon {
    /** One schedule: the job, its cron text (for the log) and when it fires. */
    public record Entry(ScheduledJob job, String cron, Trigger trigger) {
    }

    private final List<Entry> entries;
    private final DaemonState state;
    private final Clock clock;
    private final Consumer<String> log;
    private final AlertHook alerts;
    private final Duration alertEvery;
    private final Object wake = new Object();
    private volatile boolean stopping;
    private volatile Thread worker;
    private volatile boolean busy;
    private int runs;

    /** @param alertEvery how often {@code alerts} is called between jobs; null: only after jobs */
    public Daemon(List<Entry> entries, DaemonState state, Clock clock, Consumer<String> log, AlertHook alerts,
                  Duration alertEvery) {
        this.entries = List.copyOf(entries);
        this.state = state;
        this.clock = clock;
        this.log = log;
        this.alerts = alerts == null ? AlertHook.NONE : alerts;
        this.alertEvery = alertEvery;
    }

    /** Runs until {@link #stop} (or until {@code maxRuns} job runs, when positive: for tests). Returns the runs made. */
    public int run(int maxRuns) {
        worker = Thread.currentThread();
        Instant now = clock.instant();
        Map<String, Instant> due = new LinkedHashMap<>();
        for (Entry e : entries) {
            Instant last = state.lastRun(e.job().name());
            Instant missed = last == null ? null : e.trigger().next(last);
            if (missed != null && !missed.isAfter(now)) {
                log.accept(e.job().name() + ": missed its run at " + missed + " while the daemon was down; running it now");
                due.put(e.job().name(), now);
            } else {
                due.put(e.job().name(), e.trigger().next(now));
            }
            log.accept(e.job().name() + ": scheduled '" + e.cron() + "', next run " + due.get(e.job().name()));
        }
        Instant nextAlert = alertEvery == null ? null : now.plus(alertEvery);
        while (!stopping && (maxRuns <= 0 || runs < maxRuns)) {
            Instant next = due.values().stream().filter(t -> t != null).min(Instant::compareTo).orElse(null);
            if (nextAlert != null && (next == null || nextAlert.isBefore(next))) {
                next = nextAlert;
            }
            if (next == null) {
                log.accept("no job is scheduled any more; stopping");
                break;
            }
            if (!sleepUntil(next)) {
                break;
            }
            now = clock.instant();
            if (nextAlert != null && !nextAlert.isAfter(now)) {
                evaluateAlerts(now);
                nextAlert = now.plus(alertEvery);
            }
            for (Entry e : entries) {
                Instant t = due.get(e.job().name());
                if (stopping || t == null || t.isAfter(now) || (maxRuns > 0 && runs >= maxRuns)) {
                    continue;
                }
                runOnce(e);
                due.put(e.job().name(), e.trigger().next(clock.instant()));
            }
        }
        worker = null;
        return runs;
    }

    /**
     * Asks the daemon to stop: it starts no new job, lets the running one finish for up to
     * {@code grace}, then interrupts it and waits for it to clean up.
     */
    public void stop(Duration grace) {
        stopping = true;
        Thread t = worker;
        synchronized (wake) {
            wake.notifyAll();
        }
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            if (busy) {
                log.accept("stopping: letting the running job finish (up to " + grace.toSeconds() + " s)");
            }
            t.join(grace.toMillis());
            if (t.isAlive()) {
                log.accept("stopping: the running job did not finish in time; interrupting it");
                t.interrupt();
                t.join(TimeUnit.SECONDS.toMillis(60));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runOnce(Entry e) {
        String name = e.job().name();
        Instant started = clock.instant();
        log.accept(name + ": started");
        busy = true;
        JobOutcome outcome;
        try {
            outcome = e.job().run();
        } catch (Exception ex) {
            outcome = new JobOutcome(RunStatus.FAILED, ex.getMessage() == null ? ex.toString() : ex.getMessage());
        } finally {
            busy = false;
        }
        runs++;
        state.ran(name, started);
        log.accept(name + ": " + outcome.status() + " in " + Duration.between(started, clock.instant()).toMillis()
                + " ms: " + outcome.summary());
        evaluateAlerts(clock.instant());
    }

    private void evaluateAlerts(Instant now) {
        try {
            alerts.evaluate(now);
        } catch (RuntimeException ex) {
            log.accept("alerts: evaluation failed: " + ex.getMessage());
        }
    }

    /** Waits until {@code at}; false when stopping. */
    private boolean sleepUntil(Instant at) {
        synchronized (wake) {
            while (!stopping) {
                long ms = Duration.between(clock.instant(), at).toMillis();
                if (ms <= 0) {
                    return true;
                }
                try {
                    wake.wait(ms);
                } catch (InterruptedException e) {
                    return false;
                }
            }
        }
        return false;
    }

    /** The entries' next firings after {@code from}, for {@code schedule print} and status. */
    public static List<String> nextRuns(List<Entry> entries, Instant from) {
        List<String> out = new ArrayList<>();
        entries.forEach(e -> out.add(e.job().name() + " " + e.trigger().next(from)));
        return out;
    }
}
