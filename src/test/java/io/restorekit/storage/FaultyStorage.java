package io.restorekit.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Wraps any storage to inject faults, for tests of the layers above (retries, repository,
 * backup, verify). Calls are counted per {@link Op}, from 1, whether they fail or not.
 *
 * <pre>{@code
 * FaultyStorage faulty = FaultyStorage.wrap(new InMemoryStorage())
 *         .failOn(Op.SAVE, 1, 2)              // the first two saves fail before storing anything
 *         .failSaveAfterStoring(4)            // the 4th save stores the object, then reports a failure
 *         .failSaveMidway(5, 1000)            // the 5th save's payload breaks after 1000 bytes
 *         .failReadMidway(1, 4096)            // the stream of the first open breaks after 4096 bytes
 *         .corruptRead(pack, 42);             // every read of byte 42 of pack gets it flipped
 * ...
 * assertEquals(5, faulty.calls(Op.SAVE));
 * }</pre>
 *
 * Injected failures are plain {@link IOException}s whose message starts with
 * {@link #INJECTED}. Safe to use from several threads.
 */
public final class FaultyStorage implements Storage {
    /** The beginning of the message of every injected failure. */
    public static final String INJECTED = "injected failure";

    /** The calls that can be counted and made to fail. */
    public enum Op { SAVE, OPEN, STAT, LIST, REMOVE }

    private final Storage inner;
    private final Map<Op, AtomicInteger> calls = new EnumMap<>(Op.class);
    private final Map<Op, Set<Integer>> failing = new EnumMap<>(Op.class);
    private final Map<Op, AtomicInteger> failingFrom = new EnumMap<>(Op.class);
    private final Set<Integer> savesStoredThenFailed = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Long> savesBrokenAfter = new ConcurrentHashMap<>();
    private final Map<Integer, Long> readsBrokenAfter = new ConcurrentHashMap<>();
    private final Map<Handle, Set<Long>> corruptions = new ConcurrentHashMap<>();

    public FaultyStorage(Storage inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
        for (Op op : Op.values()) {
            calls.put(op, new AtomicInteger());
            failing.put(op, ConcurrentHashMap.newKeySet());
            failingFrom.put(op, new AtomicInteger(Integer.MAX_VALUE));
        }
    }

    /** Same as the constructor, reads better at the start of a chain. */
    public static FaultyStorage wrap(Storage inner) {
        return new FaultyStorage(inner);
    }

    /** The wrapped storage, for checking what really got stored. */
    public Storage inner() {
        return inner;
    }

    /**
     * Makes the given calls of {@code op} (counted from 1 since creation or {@link #reset()}) fail
     * with an IOException without reaching the wrapped storage.
     */
    public FaultyStorage failOn(Op op, int... nth) {
        for (int n : nth) {
            failing.get(op).add(n);
        }
        return this;
    }

    /** Makes the {@code nth} call of {@code op} and every later one fail: an unreachable backend. */
    public FaultyStorage failFrom(Op op, int nth) {
        failingFrom.get(op).set(nth);
        return this;
    }

    /** Makes every call of {@code op} fail from now on, until {@link #heal()} or {@link #reset()}. */
    public FaultyStorage failAlways(Op op) {
        return failFrom(op, calls.get(op).get() + 1);
    }

    /**
     * The {@code nth} save hands the wrapped storage a payload that breaks with an IOException after
     * {@code afterBytes} bytes, so the backend sees a real failure in the middle of a write (and
     * must leave no object behind). {@code afterBytes} must be less than the payload's length.
     */
    public FaultyStorage failSaveMidway(int nth, long afterBytes) {
        savesBrokenAfter.put(nth, afterBytes);
        return this;
    }

    /**
     * The {@code nth} save reaches the wrapped storage and stores the object, then reports an
     * IOException anyway: an answer lost on the way back.
     */
    public FaultyStorage failSaveAfterStoring(int nth) {
        savesStoredThenFailed.add(nth);
        return this;
    }

    /**
     * The stream returned by the {@code nth} open fails with an IOException once {@code afterBytes}
     * bytes have been read from it: a connection dropped in the middle of a download.
     */
    public FaultyStorage failReadMidway(int nth, long afterBytes) {
        readsBrokenAfter.put(nth, afterBytes);
        return this;
    }

    /**
     * Every read of {@code handle} that covers byte {@code offset} of the object returns that byte
     * with all its bits flipped. The stored object is unchanged.
     */
    public FaultyStorage corruptRead(Handle handle, long offset) {
        corruptions.computeIfAbsent(handle, h -> ConcurrentHashMap.newKeySet()).add(offset);
        return this;
    }

    /** Stops all injected failures and corruptions; the call counts go on. */
    public FaultyStorage heal() {
        for (Op op : Op.values()) {
            failing.get(op).clear();
            failingFrom.get(op).set(Integer.MAX_VALUE);
        }
        savesStoredThenFailed.clear();
        savesBrokenAfter.clear();
        readsBrokenAfter.clear();
        corruptions.clear();
        return this;
    }

    /** {@link #heal()}s and sets the call counts back to zero. */
    public FaultyStorage reset() {
        heal();
        calls.values().forEach(count -> count.set(0));
        return this;
    }

    /** How many calls of {@code op} were made, failed ones included. */
    public int calls(Op op) {
        return calls.get(op).get();
    }

    @Override
    public String location() {
        return inner.location();
    }

    @Override
    public void save(Handle handle, Payload payload) throws IOException {
        int n = enter(Op.SAVE, handle);
        Long breakAfter = savesBrokenAfter.get(n);
        if (breakAfter != null) {
            if (breakAfter >= payload.length()) {
                throw new IllegalStateException("cannot break the payload of " + handle + " after " + breakAfter
                        + " bytes: it has only " + payload.length());
            }
            inner.save(handle, new BrokenPayload(payload, breakAfter, handle));
            throw new IllegalStateException("the storage accepted a payload that failed midway: " + handle);
        }
        inner.save(handle, payload);
        if (savesStoredThenFailed.contains(n)) {
            throw injected(Op.SAVE, n, handle, "after storing the object");
        }
    }

    @Override
    public InputStream open(Handle handle, long offset, long length) throws IOException {
        int n = enter(Op.OPEN, handle);
        InputStream in = inner.open(handle, offset, length);
        Set<Long> flipped = corruptions.get(handle);
        if (flipped != null && !flipped.isEmpty()) {
            in = new CorruptingInputStream(in, offset, Set.copyOf(flipped));
        }
        Long breakAfter = readsBrokenAfter.get(n);
        return breakAfter == null ? in : new BreakingInputStream(in, breakAfter, "read of " + handle);
    }

    @Override
    public FileInfo stat(Handle handle) throws IOException {
        enter(Op.STAT, handle);
        return inner.stat(handle);
    }

    @Override
    public void list(Kind kind, Consumer<FileInfo> each) throws IOException {
        enter(Op.LIST, kind.folder());
        inner.list(kind, each);
    }

    @Override
    public void remove(Handle handle) throws IOException {
        enter(Op.REMOVE, handle);
        inner.remove(handle);
    }

    @Override
    public Capabilities capabilities() {
        return inner.capabilities();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }

    @Override
    public String toString() {
        return "FaultyStorage[" + inner + "]";
    }

    private int enter(Op op, Object subject) throws IOException {
        int n = calls.get(op).incrementAndGet();
        if (failing.get(op).contains(n) || n >= failingFrom.get(op).get()) {
            throw injected(op, n, subject, "");
        }
        return n;
    }

    private static IOException injected(Op op, int n, Object subject, String when) {
        return new IOException(INJECTED + ": " + op.name().toLowerCase() + " #" + n + " of " + subject
                + (when.isEmpty() ? "" : " " + when));
    }

    private static final class BrokenPayload implements Payload {
        private final Payload payload;
        private final long afterBytes;
        private final Handle handle;

        BrokenPayload(Payload payload, long afterBytes, Handle handle) {
            this.payload = payload;
            this.afterBytes = afterBytes;
            this.handle = handle;
        }

        @Override
        public long length() {
            return payload.length();
        }

        @Override
        public InputStream open() throws IOException {
            return new BreakingInputStream(payload.open(), afterBytes, "payload of " + handle);
        }
    }

    /** Passes {@code afterBytes} bytes, then fails. */
    private static final class BreakingInputStream extends FilterInputStream {
        private final long afterBytes;
        private final String what;
        private long read;

        BreakingInputStream(InputStream in, long afterBytes, String what) {
            super(in);
            this.afterBytes = afterBytes;
            this.what = what;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (read >= afterBytes) {
                throw new IOException(INJECTED + ": " + what + " broke after " + read + " bytes");
            }
            int n = in.read(b, off, (int) Math.min(len, afterBytes - read));
            if (n > 0) {
                read += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buffer = new byte[8192];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    private static final class CorruptingInputStream extends FilterInputStream {
        private final Set<Long> flipped;
        private long position;

        CorruptingInputStream(InputStream in, long offset, Set<Long> flipped) {
            super(in);
            this.position = offset;
            this.flipped = flipped;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            for (int i = 0; i < n; i++) {
                if (flipped.contains(position + i)) {
                    b[off + i] = (byte) ~b[off + i];
                }
            }
            if (n > 0) {
                position += n;
            }
            return n;
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
    }
}
