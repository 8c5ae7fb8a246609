package io.restorekit.copy;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.Hex;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.LockRequest;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryLock;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.ObjectExistsException;
import io.restorekit.storage.ObjectNotFoundException;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;
import io.restorekit.storage.StorageUnavailableException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Brings copies of the primary repository up to date: every object of the primary that a copy
 * lacks is transferred as stored, still encrypted (a copy is the same repository, opened with the
 * same passwords). Objects go in the order config, keys, dictionaries, packs, index, snapshots, so
 * that a copy interrupted at any point is a valid repository whose snapshots name only data it
 * holds; a snapshot is not copied at all while any object failed. Locks are never copied.
 * Re-running after an interruption transfers only what is still missing.
 *
 * <p>Each object is checked against its name (the SHA-256 of its bytes) before it is sent, so
 * damage in the primary does not spread. Objects only a copy has are left alone.
 */
public final class CopyService {
    private static final List<Kind> ORDER = List.of(Kind.CONFIG, Kind.KEY, Kind.DICT, Kind.PACK, Kind.INDEX,
            Kind.SNAPSHOT);

    private final Repository primary;
    private final int threads;

    /**
     * @param primary the open primary repository (locked shared while copying, so that prune waits)
     * @param threads objects transferred at once
     */
    public CopyService(Repository primary, int threads) {
        this.primary = primary;
        this.threads = threads;
    }

    public CopyService(Repository primary) {
        this(primary, 4);
    }

    /** Copies to each destination in turn; a destination that fails does not stop the others. */
    public CopyResult copy(CopyRequest request, ProgressListener progress) throws IOException {
        List<CopyResult.DestinationResult> results = new ArrayList<>();
        try (RepositoryLock lock = primary.lock(LockRequest.shared("copy"))) {
            for (CopyRequest.Destination destination : request.destinations()) {
                results.add(copyTo(destination, progress));
            }
        }
        return new CopyResult(results);
    }

    private CopyResult.DestinationResult copyTo(CopyRequest.Destination destination, ProgressListener progress) {
        long t0 = System.nanoTime();
        Storage source = primary.storage();
        Storage target = destination.storage();
        Tally tally = new Tally();
        List<String> problems = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "copy-" + destination.name());
            t.setDaemon(true);
            return t;
        });
        try {
            for (Kind kind : ORDER) {
                if (kind == Kind.SNAPSHOT && !problems.isEmpty()) {
                    problems.add("no snapshot was copied, so that the copy names no missing data");
                    break;
                }
                copyKind(kind, source, target, tally, problems, pool, progress);
            }
            return result(destination, tally, problems, t0, null, null);
        } catch (RkException e) {
            return result(destination, tally, problems, t0, e.code(), e.getMessage());
        } catch (IOException e) {
            String message = "copy '" + destination.name() + "' (" + target.location() + ") stopped: " + e.getMessage()
                    + "; run 'rk copy' again to resume";
            return result(destination, tally, problems, t0, unreachable(e) ? ErrorCode.UNREACHABLE : ErrorCode.FAILED,
                    message);
        } finally {
            pool.shutdownNow();
        }
    }

    private CopyResult.DestinationResult result(CopyRequest.Destination destination, Tally tally, List<String> problems,
                                                long t0, ErrorCode code, String error) {
        long snapshots;
        try {
            snapshots = list(destination.storage(), Kind.SNAPSHOT).size();
        } catch (IOException e) {
            snapshots = -1;
        }
        return new CopyResult.DestinationResult(destination.name(), destination.storage().location(),
                tally.copied.get(), tally.bytes.get(), tally.present, tally.extra, snapshots, problems,
                (System.nanoTime() - t0) / 1_000_000, code, error);
    }

    private void copyKind(Kind kind, Storage source, Storage target, Tally tally, List<String> problems,
                          ExecutorService pool, ProgressListener progress) throws IOException {
        Map<Handle, Long> there = list(target, kind);
        Map<Handle, Long> here = list(source, kind);
        List<FileInfo> missing = new ArrayList<>();
        for (Map.Entry<Handle, Long> e : here.entrySet()) {
            Long size = there.get(e.getKey());
            if (size == null) {
                missing.add(new FileInfo(e.getKey(), e.getValue()));
            } else if (kind == Kind.CONFIG) {
                checkSameRepository(source, target);
                tally.present++;
            } else if (size.longValue() != e.getValue()) {
                problems.add(e.getKey() + " differs in size in the copy (" + size + " bytes, " + e.getValue()
                        + " in the primary); it is never overwritten: run 'rk verify' on the copy");
            } else {
                tally.present++;
            }
        }
        for (Handle handle : there.keySet()) {
            if (!here.containsKey(handle)) {
                tally.extra++;
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        progress.total(missing.stream().mapToLong(FileInfo::size).sum(), missing.size());
        List<Future<String>> transfers = new ArrayList<>();
        for (FileInfo info : missing) {
            transfers.add(pool.submit(() -> transfer(info.handle(), source, target, tally, progress)));
        }
        IOException failure = null;
        for (Future<String> transfer : transfers) {
            try {
                String problem = transfer.get();
                if (problem != null) {
                    problems.add(problem);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                transfers.forEach(t -> t.cancel(true));
                throw new InterruptedIOException("copy interrupted");
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
                    // The destination is failing: what is still queued would fail the same way.
                    transfers.forEach(t -> t.cancel(false));
                }
            } catch (java.util.concurrent.CancellationException e) {
                // cancelled after the first failure
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Copies one object; returns a problem that concerns only this object, or null. */
    private String transfer(Handle handle, Storage source, Storage target, Tally tally, ProgressListener progress)
            throws IOException {
        byte[] bytes;
        try {
            bytes = source.readAll(handle);
        } catch (ObjectNotFoundException e) {
            // removed from the primary since it was listed (prune of an older run)
            return null;
        }
        if (handle.kind() != Kind.CONFIG && !handle.name().equals(sha256(bytes))) {
            return handle + " in the primary does not match its name (damaged); not copied: run 'rk verify --read-data'";
        }
        try {
            target.save(handle, Payload.of(bytes));
            tally.copied.incrementAndGet();
            tally.bytes.addAndGet(bytes.length);
        } catch (ObjectExistsException e) {
            // saved meanwhile by another copy run: same name, same content
        }
        progress.advance(bytes.length, 1);
        return null;
    }

    private static void checkSameRepository(Storage source, Storage target) throws IOException {
        if (!Arrays.equals(source.readAll(Handle.config()), target.readAll(Handle.config()))) {
            throw new RkException(ErrorCode.BAD_INPUT, "'" + target.location() + "' holds another repository than the"
                    + " primary; choose an empty location for the copy");
        }
    }

    private static Map<Handle, Long> list(Storage storage, Kind kind) throws IOException {
        Map<Handle, Long> found = new HashMap<>();
        storage.list(kind, info -> found.put(info.handle(), info.size()));
        return found;
    }

    private static boolean unreachable(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof StorageUnavailableException) {
                return true;
            }
        }
        return false;
    }

    private static String sha256(byte[] bytes) {
        try {
            return Hex.encode(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Tally {
        final AtomicLong copied = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        long present;
        long extra;
    }
}
