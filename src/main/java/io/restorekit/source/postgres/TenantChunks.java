package io.restorekit.source.postgres;

import io.restorekit.common.Hex;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryConfig;
import io.restorekit.repository.chunk.FastCdc;
import io.restorekit.repository.chunk.GearRoll;
import org.postgresql.copy.CopyOut;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Groups the rows of a {@code COPY ... TO STDOUT}, which come in the server's physical order
 * (a sequential scan, no sort), by tenant on the client: each tenant has its own content-defined
 * chunker (the repository's FastCDC cut rule, fed row by row), so no chunk holds two tenants'
 * rows, and the table's chunk list is the tenants' chunks one tenant after the other.
 *
 * <p>When the rows end with a tenant column it is cut off (the stored stream is the table's COPY
 * text). A {@link RowFilter} sees every row after the scanner and picks those stored.
 *
 * <p>A tenant's pending chunk lies in blocks: a small first one that doubles up to {@link #BLOCK},
 * then blocks of {@link #BLOCK} bytes taken from a pool and given back to it once the chunk is
 * stored. Growing a chunk copies nothing, and the blocks serve chunk after chunk: contiguous
 * buffers that double as a chunk grows, and are dropped and grown again between chunks, made
 * several times the rows' bytes in garbage (a 4 M-row MySQL table: 0.8 GB), much of it promoted
 * before it died, since a tenant's chunk fills over several young collections. A chunk is made
 * contiguous once, where it is compressed.
 *
 * <p>The memory is bounded whatever the number of tenants: a tenant holds blocks only while it
 * has pending bytes, and when all tenants' blocks together pass {@link #BUDGET}, the largest
 * pending chunks are cut early until half the budget is free. With many small tenants the chunks
 * are smaller, never the memory.
 *
 * <p>The tables of one backup share their free blocks and chunk buffers ({@link Buffers}): a
 * table starts with those the tables before it gave back rather than allocating its own, so the
 * heap holds one budget's blocks per table cut at a time, not one per table dumped.
 */
public final class TenantChunks {
    /** Bytes of all tenants' blocks beyond which the largest pending chunks are cut early. */
    static final int BUDGET = 32 << 20;
    /** The size of a pooled block; a tenant's first block starts at {@link #FIRST} and doubles up to it. */
    static final int BLOCK = 64 << 10;
    private static final int FIRST = 1024;
    private static final byte[][] NO_BLOCKS = new byte[0][];

    /** Decides per row whether it is stored. */
    public interface RowFilter {
        /**
         * @param row     the row's COPY text; {@code len} excludes the newline
         * @param rowHash the row's hash ({@link RowScanner#lastRowHash()})
         */
        boolean keep(byte[] row, int len, long rowHash) throws IOException;
    }

    /** What the stream produced. */
    public record Result(List<BlobId> chunks, Map<String, List<Integer>> tenantChunks, Map<String, Long> tenantRows,
                  long added, long stored, long kept) {
    }

    private final Repository repository;
    private final RowScanner scanner;
    private final boolean tenantLast;
    private final RowFilter filter;
    private final ProgressListener progress;
    private final GearRoll roll;
    private final int min;
    private final int avg;
    private final int max;
    private Group[] table = new Group[64];
    private final List<Group> groups = new ArrayList<>();
    private Group nullGroup;
    /** Bytes of all tenants' buffers, and the most they came to. */
    private long buffered;
    private long peak;
    private long added;
    private long stored;
    private long kept;
    private final java.util.concurrent.ExecutorService saver;
    private final java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(SAVING);
    private final java.util.concurrent.atomic.AtomicReference<Throwable> saveFailure =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final Buffers buffers;

    /**
     * Bytes of chunks handed to the saver and not yet stored, at most (in KiB): about four chunks of
     * the average size keep the saver busy; more only holds memory.
     */
    static final int SAVING = 4 << 10;

    /**
     * Free blocks and chunk buffers, shared by the tables of one backup (one table: its own).
     * Blocks given back beyond one {@link #BUDGET} per table cut at a time are left to the
     * collector: a table never holds more than its budget, so the next one finds all it needs.
     * Each block lives to the end of the backup instead of dying with its table, in the old
     * generation where it would have been promoted anyway (a pending chunk fills over several
     * young collections). The 4 M-row MySQL backup allocated 19 MiB of blocks instead of 52, and
     * its one young collection took 20 ms instead of 70. Thread-safe.
     */
    public static final class Buffers {
        private final ArrayDeque<byte[]> blocks = new ArrayDeque<>();
        private final int keep;
        /** Blocks allocated so far. */
        private int made;
        /** Buffers a chunk is made contiguous in before it is stored, one per storing thread at a time. */
        private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> flats =
                new java.util.concurrent.ConcurrentLinkedQueue<>();

        /** @param tablesAtOnce how many tables are cut at the same time at most */
        public Buffers(int tablesAtOnce) {
            this.keep = Math.max(1, tablesAtOnce) * (BUDGET / BLOCK);
        }

        /** A free block, or a new one. */
        private synchronized byte[] block() {
            byte[] block = blocks.poll();
            if (block == null) {
                made++;
                block = new byte[BLOCK];
            }
            return block;
        }

        /** Takes back the blocks of a stored chunk (the first, smaller ones are left to the collector). */
        private synchronized void giveBack(byte[][] chunk, int count) {
            for (int i = 0; i < count; i++) {
                if (chunk[i].length == BLOCK && blocks.size() < keep) {
                    blocks.push(chunk[i]);
                }
            }
        }

        /** Blocks allocated so far. */
        synchronized int made() {
            return made;
        }
    }

    public TenantChunks(Repository repository, RowScanner scanner, boolean tenantLast, RowFilter filter,
                 ProgressListener progress, Buffers buffers) {
        this(repository, scanner, tenantLast, filter, progress, null, buffers);
    }

    /**
     * @param saver   when not null, chunks are compressed, sealed and stored on this executor
     *                while the rows go on being scanned and cut here ({@link #SAVING} KiB at most
     *                in flight); null: stored on the calling thread
     * @param buffers the free blocks and chunk buffers of the backup's tables
     */
    public TenantChunks(Repository repository, RowScanner scanner, boolean tenantLast, RowFilter filter,
                        ProgressListener progress, java.util.concurrent.ExecutorService saver, Buffers buffers) {
        this.saver = saver;
        this.buffers = buffers;
        this.repository = repository;
        this.scanner = scanner;
        this.tenantLast = tenantLast;
        this.filter = filter;
        this.progress = progress;
        RepositoryConfig.ChunkerParams p = repository.config().chunker();
        this.roll = new GearRoll(FastCdc.gearTable(Hex.decode(p.gearSeed())), p.avg());
        this.min = p.min();
        this.avg = p.avg();
        this.max = p.max();
    }

    /** One tenant's chunker state and chunks. */
    private static final class Group {
        final byte[] key;
        final int hash;
        final String tenant;
        final List<BlobId> chunks = new ArrayList<>();
        /** With a saver: the chunks' saves, in order (their ids land in {@link #chunks} at the end). */
        final List<java.util.concurrent.Future<Repository.SaveResult>> saving = new ArrayList<>();
        /** The pending chunk's bytes ({@code len} of them), in {@code count} blocks filled in order. */
        byte[][] blocks = NO_BLOCKS;
        int count;
        /** Bytes used in the last block. */
        int tail;
        /** Whether the tenant's last chunk filled a block: its next one starts with a pooled block. */
        boolean large;
        int len;
        long h;
        long rows;

        Group(byte[] key, int hash, String tenant) {
            this.key = key;
            this.hash = hash;
            this.tenant = tenant;
        }
    }

    /** Rows one at a time, as a COPY row: fields, then (when grouped) a tab and the tenant, then a newline. */
    public interface RowSource {
        /** The next row (the array is the caller's to keep); null at the end. */
        byte[] next() throws IOException;
    }

    /** Rows in blocks, read in place: each row ends with a newline (fields, then when grouped a tab and the tenant). */
    public interface RowBlocks {
        /** The next block, or null at the end; the previous block's bytes are the source's again from this call on. */
        Block next() throws IOException;
    }

    /**
     * Rows {@code data[0, ends[0])}, {@code data[ends[0], ends[1])}, ... ({@code rows} of them);
     * the bytes may be changed while they are read.
     */
    public record Block(byte[] data, int[] ends, int rows) {
    }

    Result run(CopyOut copy) throws IOException {
        return run(() -> {
            try {
                return copy.readFromCopy();
            } catch (SQLException e) {
                throw new CopyOutStream.CopyFailure(e);
            }
        });
    }

    public Result run(RowSource source) throws IOException {
        while (true) {
            byte[] data = source.next();
            if (data == null) {
                break;
            }
            if (data.length == 0 || data[data.length - 1] != '\n') {
                data = Arrays.copyOf(data, data.length + 1);
                data[data.length - 1] = '\n';
            }
            row(data, 0, data.length, false);
        }
        return finish();
    }

    /** Like {@link #run(RowSource)}, reading each row where it lies in its block. */
    public Result run(RowBlocks source) throws IOException {
        consume(source);
        return finish();
    }

    /**
     * Cuts the rows of {@code source}, leaving each tenant's last chunk pending: {@link #finish}
     * stores those and awaits every save, for example while the source's connection already reads
     * the next table.
     */
    public void consume(RowBlocks source) throws IOException {
        for (Block b; (b = source.next()) != null; ) {
            byte[] data = b.data();
            int[] ends = b.ends();
            int start = 0;
            for (int i = 0; i < b.rows(); i++) {
                int end = ends[i];
                row(data, start, end, true);
                start = end;
            }
        }
    }

    /**
     * One row, {@code data[from, to)}, its last byte a newline.
     *
     * @param whole whether the row holds no raw newline but its last byte (so it is scanned as one row)
     */
    private void row(byte[] data, int from, int to, boolean whole) throws IOException {
        int end = to - 1;
        Group g;
        if (tenantLast) {
            int tab = end - 1;
            while (tab >= from && data[tab] != '\t') {
                tab--;
            }
            if (tab < from) {
                throw new IOException("a tenant-grouped COPY row has no tenant column");
            }
            g = group(data, tab + 1, end);
            end = tab;
        } else {
            g = nullGroup();
        }
        data[end] = '\n';
        if (whole) {
            scanner.row(data, from, end - from);
        } else {
            scanner.update(data, from, end + 1 - from);
        }
        if (g.tenant != null) {
            g.rows++;
        }
        if (filter == null) {
            kept++;
            append(g, data, from, end);
        } else {
            byte[] row = from == 0 ? data : Arrays.copyOfRange(data, from, end + 1);
            if (filter.keep(row, end - from, scanner.lastRowHash())) {
                kept++;
                append(g, data, from, end);
            }
        }
    }

    /** Stores the tenants' pending chunks and awaits every save: what the rows produced. */
    public Result finish() throws IOException {
        List<Group> ordered = new ArrayList<>(groups);
        ordered.sort(TENANT_ORDER);
        if (nullGroup != null) {
            ordered.add(nullGroup);
        }
        if (saver != null) {
            for (Group g : ordered) {
                if (g.len > 0) {
                    emit(g);
                }
            }
            for (Group g : ordered) {
                for (java.util.concurrent.Future<Repository.SaveResult> f : g.saving) {
                    g.chunks.add(io.restorekit.common.Futures.await(f).id());
                }
            }
        }
        List<BlobId> chunks = new ArrayList<>();
        Map<String, List<Integer>> ranges = new TreeMap<>();
        Map<String, Long> rows = new LinkedHashMap<>();
        for (Group g : ordered) {
            if (g.len > 0) {
                emit(g);
            }
            int first = chunks.size();
            chunks.addAll(g.chunks);
            if (g.tenant != null) {
                rows.put(g.tenant, g.rows);
                if (!g.chunks.isEmpty()) {
                    ranges.put(g.tenant, List.of(first, chunks.size()));
                }
            }
        }
        return new Result(chunks, ranges, rows, added, stored, kept);
    }

    /** Tenants in numeric order when they are all integers, else in text order. */
    private static final Comparator<Group> TENANT_ORDER = (a, b) -> {
        Long x = number(a.tenant);
        Long y = number(b.tenant);
        if (x != null && y != null) {
            return Long.compare(x, y);
        }
        if (x != null || y != null) {
            return x != null ? -1 : 1;
        }
        return a.tenant.compareTo(b.tenant);
    };

    private static Long number(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return null;
        }
        for (int i = s.charAt(0) == '-' ? 1 : 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return null;
            }
        }
        return s.equals("-") ? null : Long.parseLong(s);
    }

    private Group nullGroup() {
        if (nullGroup == null) {
            nullGroup = new Group(null, 0, null);
        }
        return nullGroup;
    }

    /** The group of the tenant spelled by {@code data[from, to)} ({@code \N}: no tenant). */
    private Group group(byte[] data, int from, int to) {
        int n = to - from;
        if (n == 2 && data[from] == '\\' && data[from + 1] == 'N') {
            return nullGroup();
        }
        int hash = 1;
        for (int i = from; i < to; i++) {
            hash = 31 * hash + data[i];
        }
        int mask = table.length - 1;
        int i = (hash ^ (hash >>> 16)) & mask;
        for (Group g; (g = table[i]) != null; i = (i + 1) & mask) {
            if (g.hash == hash && Arrays.equals(g.key, 0, g.key.length, data, from, to)) {
                return g;
            }
        }
        byte[] key = Arrays.copyOfRange(data, from, to);
        Group g = new Group(key, hash, new String(key, StandardCharsets.UTF_8));
        table[i] = g;
        groups.add(g);
        if (groups.size() * 2 > table.length) {
            Group[] bigger = new Group[table.length * 2];
            int m = bigger.length - 1;
            for (Group old : groups) {
                int j = (old.hash ^ (old.hash >>> 16)) & m;
                while (bigger[j] != null) {
                    j = (j + 1) & m;
                }
                bigger[j] = old;
            }
            table = bigger;
        }
        return g;
    }

    /** Appends a row ({@code data[from, end]}, {@code data[end]} its newline) to the tenant's pending chunk, cutting where FastCDC would. */
    private void append(Group g, byte[] data, int from, int end) throws IOException {
        int off = from;
        int total = end + 1;
        while (off < total) {
            // Roll the gear hash over the row's bytes (from the minimum size on) and cut where the
            // repository's chunker would cut the tenant's stream.
            int start = g.len;
            int stop = (int) Math.min((long) start + (total - off), max);
            // The roll works in row indexes, the chunk's sizes are positions in the chunk.
            int delta = off - start;
            roll.hash = g.h;
            int at = roll.cut(data, Math.max(start, min) + delta, stop + delta, avg + delta);
            int cut = at < 0 ? -1 : at - delta;
            if (cut < 0 && stop == max) {
                cut = max;
            }
            int taken = (cut < 0 ? stop : cut) - start;
            put(g, data, off, taken);
            off += taken;
            if (cut < 0) {
                g.h = roll.hash;
            } else {
                emit(g);
            }
        }
        if (buffered > BUDGET) {
            relieve();
        }
    }

    /** Copies {@code data[off, off+n)} to the end of the tenant's pending chunk. */
    private void put(Group g, byte[] data, int off, int n) {
        while (n > 0) {
            if (g.count == 0 || g.tail == g.blocks[g.count - 1].length) {
                more(g);
            }
            byte[] block = g.blocks[g.count - 1];
            int room = Math.min(block.length - g.tail, n);
            System.arraycopy(data, off, block, g.tail, room);
            g.tail += room;
            g.len += room;
            off += room;
            n -= room;
        }
    }

    /**
     * Gives a tenant room for more: its first block doubled, or a block from the pool (a small
     * new first block for a tenant whose last chunk was small, so that thousands of small tenants
     * hold little).
     */
    private void more(Group g) {
        if (g.count == 1 && g.blocks[0].length < BLOCK) {
            byte[] grown = Arrays.copyOf(g.blocks[0], Math.min(BLOCK, g.blocks[0].length * 2));
            held(grown.length - g.blocks[0].length);
            g.blocks[0] = grown;
            return;
        }
        byte[] block;
        if (g.count == 0 && !g.large) {
            block = new byte[FIRST];
        } else {
            block = buffers.block();
        }
        if (g.count == g.blocks.length) {
            g.blocks = Arrays.copyOf(g.blocks, Math.max(4, g.count * 2));
        }
        g.blocks[g.count++] = block;
        g.tail = 0;
        held(block.length);
    }

    private void held(long bytes) {
        buffered += bytes;
        peak = Math.max(peak, buffered);
    }

    /**
     * Brings the blocks down to half the budget by cutting the largest pending chunks early. Runs
     * once per half a budget of blocks taken, so sorting the tenants here costs little even with
     * thousands of them.
     */
    private void relieve() throws IOException {
        List<Group> all = new ArrayList<>(groups);
        if (nullGroup != null) {
            all.add(nullGroup);
        }
        all.sort(Comparator.comparingInt((Group g) -> g.len).reversed());
        for (Group g : all) {
            if (buffered <= BUDGET / 2 || g.len == 0) {
                break;
            }
            emit(g);
        }
    }

    /** The most bytes all tenants' buffers held at once: at most {@link #BUDGET} plus one row's growth. */
    long peakBuffered() {
        return peak;
    }

    private synchronized void counted(Repository.SaveResult r, int n) {
        if (r.added()) {
            added += n;
            stored += r.storedBytes();
        }
        progress.advance(n, 0);
    }

    /**
     * Stores the tenant's pending chunk, on the saver when there is one (waiting while
     * {@link #SAVING} KiB are in flight), and starts its next chunk without blocks.
     */
    private void emit(Group g) throws IOException {
        int n = g.len;
        byte[][] blocks = g.blocks;
        int count = g.count;
        buffered -= bytesOf(blocks, count);
        g.blocks = NO_BLOCKS;
        g.count = 0;
        g.tail = 0;
        g.len = 0;
        g.h = 0;
        g.large = n >= BLOCK;
        if (saver == null) {
            g.chunks.add(store(blocks, count, n).id());
            return;
        }
        Throwable failed = saveFailure.get();
        if (failed != null) {
            throw failed instanceof IOException io ? io : new IOException(failed);
        }
        int permits = Math.min(SAVING, Math.max(1, n >> 10));
        try {
            inFlight.acquire(permits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while storing a chunk");
        }
        try {
            g.saving.add(saver.submit(() -> {
                try {
                    return store(blocks, count, n);
                } catch (IOException | RuntimeException e) {
                    saveFailure.compareAndSet(null, e);
                    throw e;
                } finally {
                    inFlight.release(permits);
                }
            }));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            inFlight.release(permits);
            throw new IOException("cannot store a chunk: the saver stopped", e);
        }
    }

    private static long bytesOf(byte[][] blocks, int count) {
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            bytes += blocks[i].length;
        }
        return bytes;
    }

    /** Makes the chunk in {@code blocks} ({@code n} bytes) contiguous, stores it and gives the blocks back. */
    private Repository.SaveResult store(byte[][] blocks, int count, int n) throws IOException {
        byte[] flat = buffers.flats.poll();
        if (flat == null || flat.length < n) {
            flat = new byte[Math.max(n, Math.min(max, 2 * avg))];
        }
        try {
            for (int i = 0, at = 0; at < n; i++) {
                int part = Math.min(blocks[i].length, n - at);
                System.arraycopy(blocks[i], 0, flat, at, part);
                at += part;
            }
            buffers.giveBack(blocks, count);
            Repository.SaveResult r = repository.saveBlob(BlobType.DATA, flat, 0, n, Repository.Content.ROWS);
            counted(r, n);
            return r;
        } finally {
            buffers.flats.offer(flat);
        }
    }

}
