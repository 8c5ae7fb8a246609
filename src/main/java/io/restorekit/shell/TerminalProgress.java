package io.restorekit.shell;

import io.restorekit.common.Sizes;
import io.restorekit.common.ProgressListener;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Shows a long operation's progress on one redrawn stderr line: bytes (and total), items, rate and
 * ETA, at most five times a second. Silent when stdout is not a terminal (cron, pipes, --json).
 * Call {@link #close()} when the operation ends to finish the line.
 */
public final class TerminalProgress implements ProgressListener, AutoCloseable {
    private static final long REDRAW_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final PrintStream err;
    private final boolean enabled;
    private final String label;
    private final String itemName;
    private final LongSupplier nanoTime;
    private final long start;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong items = new AtomicLong();
    private final AtomicLong totalBytes = new AtomicLong(-1);
    private final AtomicLong totalItems = new AtomicLong(-1);
    private final AtomicLong lastDraw;
    private volatile boolean drawn;

    public TerminalProgress(PrintStream err, boolean enabled, String label, String itemName, LongSupplier nanoTime) {
        this.err = err;
        this.enabled = enabled;
        this.label = label;
        this.itemName = itemName;
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
        this.lastDraw = new AtomicLong(start - REDRAW_NANOS);
    }

    /** On stderr, drawn only when stdout is a terminal. {@code itemName}: "files", "rows", "blobs". */
    public static TerminalProgress onTerminal(String label, String itemName) {
        return new TerminalProgress(System.err, Interaction.stdoutIsTerminal(), label, itemName, System::nanoTime);
    }

    @Override
    public void total(long totalBytes, long totalItems) {
        this.totalBytes.set(totalBytes);
        this.totalItems.set(totalItems);
        maybeDraw();
    }

    @Override
    public void advance(long deltaBytes, long deltaItems) {
        bytes.addAndGet(deltaBytes);
        items.addAndGet(deltaItems);
        maybeDraw();
    }

    @Override
    public void warn(String message) {
        synchronized (err) {
            if (drawn) {
                err.print("\r\033[K");
            }
            err.println("rk: warning: " + message);
            drawn = false;
        }
    }

    @Override
    public void close() {
        if (!enabled) {
            return;
        }
        synchronized (err) {
            draw();
            err.println();
            err.flush();
        }
    }

    private void maybeDraw() {
        if (!enabled) {
            return;
        }
        long now = nanoTime.getAsLong();
        long last = lastDraw.get();
        if (now - last >= REDRAW_NANOS && lastDraw.compareAndSet(last, now)) {
            synchronized (err) {
                draw();
            }
        }
    }

    private void draw() {
        err.print("\r" + line() + "\033[K");
        err.flush();
        drawn = true;
    }

    /** The progress line without terminal control characters. */
    String line() {
        long b = bytes.get();
        long n = items.get();
        long tb = totalBytes.get();
        long tn = totalItems.get();
        double seconds = Math.max(1e-3, (nanoTime.getAsLong() - start) / 1e9);
        double rate = b / seconds;
        StringBuilder s = new StringBuilder(label).append("  ").append(Sizes.bytes(b));
        if (tb >= 0) {
            s.append(" / ").append(Sizes.bytes(tb));
        }
        s.append("  ").append(String.format(Locale.ROOT, "%,d", n));
        if (tn >= 0) {
            s.append(String.format(Locale.ROOT, " / %,d", tn));
        }
        s.append(' ').append(itemName);
        s.append("  ").append(Sizes.bytes((long) rate)).append("/s");
        if (tb > 0 && b > 0 && b < tb && rate > 0) {
            s.append("  ETA ").append(Sizes.duration(Duration.ofSeconds((long) Math.ceil((tb - b) / rate))));
        }
        return s.toString();
    }
}
