package io.restorekit.storage.decorator;

import io.restorekit.common.ProgressListener;
import io.restorekit.storage.Capabilities;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.ObjectExistsException;
import io.restorekit.storage.ObjectNotFoundException;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Retries the calls of another storage that fail with an {@link IOException}, waiting
 * {@code baseDelay}, then twice as long, and so on (capped at {@link #MAX_DELAY}), up to
 * {@code attempts} calls in all. Answers that retrying cannot change are passed on at once:
 * {@link ObjectExistsException}, {@link ObjectNotFoundException}, {@link StorageReadOnlyException}.
 *
 * <ul>
 *   <li>A save opens the {@link Payload} again for every attempt. When a retried save finds the
 *       object already there with the payload's length, an earlier attempt landed (its answer was
 *       lost) and the save counts as done.
 *   <li>A stream from {@link #open} resumes where it was after a read failure by opening the
 *       remaining range again.
 *   <li>A retried {@link #list} does not report an object twice.
 * </ul>
 * Each retry is reported through {@link ProgressListener#warn}.
 */
public final class RetryingStorage implements Storage {
    /** The default number of attempts of one call. */
    public static final int DEFAULT_ATTEMPTS = 5;
    /** The default wait before the first retry. */
    public static final Duration DEFAULT_BASE_DELAY = Duration.ofMillis(500);
    /** The longest wait between two attempts. */
    public static final Duration MAX_DELAY = Duration.ofSeconds(30);

    private final Storage inner;
    private final int attempts;
    private final long baseDelayNanos;
    private final ProgressListener listener;

    /** Retries with {@link #DEFAULT_ATTEMPTS} and {@link #DEFAULT_BASE_DELAY}, silently. */
    public RetryingStorage(Storage inner) {
        this(inner, DEFAULT_ATTEMPTS, DEFAULT_BASE_DELAY, ProgressListener.NONE);
    }

    /**
     * @param attempts  calls in all, at least 1 (1 means no retry)
     * @param baseDelay wait before the first retry; doubled for each further one
     * @param listener  told about each retry
     */
    public RetryingStorage(Storage inner, int attempts, Duration baseDelay, ProgressListener listener) {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, not " + attempts);
        }
        if (baseDelay.isNegative()) {
            throw new IllegalArgumentException("base delay must not be negative: " + baseDelay);
        }
        this.inner = Objects.requireNonNull(inner, "inner");
        this.attempts = attempts;
        this.baseDelayNanos = baseDelay.toNanos();
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public String location() {
        return inner.location();
    }

    @Override
    public void save(Handle handle, Payload payload) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                inner.save(handle, payload);
                return;
            } catch (ObjectExistsException e) {
                if (attempt > 1 && landed(handle, payload)) {
                    return;
                }
                throw e;
            } catch (IOException e) {
                backOff("save " + handle, attempt, e);
            }
        }
    }

    @Override
    public InputStream open(Handle handle, long offset, long length) throws IOException {
        InputStream in = call("open " + handle, () -> inner.open(handle, offset, length));
        return new ResumingInputStream(in, handle, offset, length);
    }

    @Override
    public FileInfo stat(Handle handle) throws IOException {
        return call("stat " + handle, () -> inner.stat(handle));
    }

    @Override
    public void list(Kind kind, Consumer<FileInfo> each) throws IOException {
        Set<Handle> seen = ConcurrentHashMap.newKeySet();
        call("list " + kind.folder(), () -> {
            inner.list(kind, info -> {
                if (seen.add(info.handle())) {
                    each.accept(info);
                }
            });
            return null;
        });
    }

    @Override
    public void remove(Handle handle) throws IOException {
        call("remove " + handle, () -> {
            inner.remove(handle);
            return null;
        });
    }

    @Override
    public int cleanup(java.time.Instant before) throws IOException {
        return call("remove leftovers", () -> inner.cleanup(before));
    }

    @Override
    public Capabilities capabilities() {
        return inner.capabilities();
    }

    @Override
    public boolean supportsRetention() {
        return inner.supportsRetention();
    }

    @Override
    public java.time.Instant retainUntil(Handle handle) throws IOException {
        return call("read the retention of " + handle, () -> inner.retainUntil(handle));
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }

    @Override
    public String toString() {
        return "RetryingStorage[" + inner + "]";
    }

    private boolean landed(Handle handle, Payload payload) {
        try {
            return inner.stat(handle).size() == payload.length();
        } catch (IOException e) {
            return false;
        }
    }

    private <T> T call(String what, IoCall<T> call) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (IOException e) {
                backOff(what, attempt, e);
            }
        }
    }

    /** Returns when another attempt should be made, or rethrows {@code failure}. */
    private void backOff(String what, int attempt, IOException failure) throws IOException {
        if (!retryable(failure) || attempt >= attempts) {
            throw failure;
        }
        listener.warn("could not " + what + " in " + inner.location() + " (" + failure.getMessage()
                + "); retrying, attempt " + (attempt + 1) + " of " + attempts);
        long delay = Math.min(MAX_DELAY.toNanos(), baseDelayNanos << Math.min(attempt - 1, 30));
        try {
            Thread.sleep(delay / 1_000_000, (int) (delay % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException("interrupted while retrying to " + what);
            interrupted.addSuppressed(failure);
            throw interrupted;
        }
    }

    private static boolean retryable(IOException e) {
        return !(e instanceof ObjectExistsException || e instanceof ObjectNotFoundException
                || e instanceof StorageReadOnlyException || e instanceof InterruptedIOException);
    }

    @FunctionalInterface
    private interface IoCall<T> {
        T run() throws IOException;
    }

    /** Reopens the rest of the range when a read fails. */
    private final class ResumingInputStream extends FilterInputStream {
        private final Handle handle;
        private long position;
        private final long end;
        private int failures;

        ResumingInputStream(InputStream in, Handle handle, long offset, long length) {
            super(in);
            this.handle = handle;
            this.position = offset;
            this.end = length < 0 ? -1 : offset + length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (true) {
                try {
                    int n = in.read(b, off, len);
                    if (n > 0) {
                        position += n;
                    }
                    return n;
                } catch (IOException e) {
                    failures++;
                    backOff("read " + handle + " at offset " + position, failures, e);
                    reopen();
                }
            }
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(n);
            position += skipped;
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        private void reopen() throws IOException {
            try {
                in.close();
            } catch (IOException ignored) {
                // the stream already failed; its replacement is what matters
            }
            long length = end < 0 ? -1 : end - position;
            in = call("open " + handle, () -> inner.open(handle, position, length));
        }
    }
}
