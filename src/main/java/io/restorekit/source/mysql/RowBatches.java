package io.restorekit.source.mysql;

import io.restorekit.source.postgres.TenantChunks;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Rows read and written as row text on a thread of their own, handed over in batches of about
 * {@link #BATCH} bytes: while the caller digests, chunks, compresses and stores one batch, the
 * driver fetches and decodes the next (two cores busy instead of one). At most {@link #DEPTH}
 * batches wait, so memory stays bounded whichever side is slower. The caller reads each batch
 * in place: a batch goes back to the reading thread when the caller asks for the next one.
 */
final class RowBatches implements TenantChunks.RowBlocks, AutoCloseable {
    static final int BATCH = 256 << 10;
    static final int DEPTH = 4;

    /** Writes rows as row text. */
    interface RowWriter {
        /** Appends the next row, newline included, to {@code out}; false at the end. */
        boolean next(RowEncoder.Buf out) throws SQLException;
    }

    private static final class Batch {
        // Room for a batch and a row that takes it past its size once it grows: grown by
        // doubling, each batch of each large table left 0.5 MiB of garbage and a 0.5 MiB array.
        final RowEncoder.Buf text = new RowEncoder.Buf(BATCH + (BATCH >> 2));
        int[] ends = new int[1024];
        int rows;
        boolean last;
        Throwable failure;
    }

    private final BlockingQueue<Batch> full = new ArrayBlockingQueue<>(DEPTH);
    private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(DEPTH + 2);
    private final Thread producer;
    private volatile boolean stopped;
    private Batch current;
    private boolean done;

    RowBatches(RowWriter writer, String name) {
        for (int i = 0; i < DEPTH + 2; i++) {
            free.add(new Batch());
        }
        producer = new Thread(() -> produce(writer), name);
        producer.setDaemon(true);
        producer.start();
    }

    private void produce(RowWriter writer) {
        try {
            boolean last = false;
            while (!last && !stopped) {
                Batch b = free.poll(100, TimeUnit.MILLISECONDS);
                if (b == null) {
                    continue;
                }
                b.text.length = 0;
                b.rows = 0;
                while (b.text.length < BATCH) {
                    if (!writer.next(b.text)) {
                        last = true;
                        break;
                    }
                    if (b.rows == b.ends.length) {
                        b.ends = Arrays.copyOf(b.ends, b.ends.length * 2);
                    }
                    b.ends[b.rows++] = b.text.length;
                }
                b.last = last;
                hand(b);
            }
        } catch (Throwable e) {
            Batch b = new Batch();
            b.failure = e;
            b.last = true;
            try {
                hand(b);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void hand(Batch b) throws InterruptedException {
        while (!stopped && !full.offer(b, 100, TimeUnit.MILLISECONDS)) {
            // the consumer is busy; look again whether it gave up
        }
    }

    @Override
    public TenantChunks.Block next() throws IOException {
        if (current != null) {
            boolean last = current.last;
            free.add(current);
            current = null;
            if (last) {
                done = true;
            }
        }
        if (done) {
            return null;
        }
        try {
            current = full.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading rows");
        }
        if (current.failure != null) {
            Throwable f = current.failure;
            current = null;
            done = true;
            if (f instanceof SQLException e) {
                throw new RowSegments.ReadFailure(e);
            }
            if (f instanceof RuntimeException e) {
                throw e;
            }
            if (f instanceof Error e) {
                throw e;
            }
            throw new IOException(f);
        }
        return new TenantChunks.Block(current.text.data, current.ends, current.rows);
    }

    /** Stops the reading thread (after its current row) and waits for it. */
    @Override
    public void close() throws IOException {
        stopped = true;
        try {
            producer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while stopping to read rows");
        }
    }
}
