package io.restorekit.repository;

import io.restorekit.repository.crypto.Envelope;
import io.restorekit.repository.crypto.Sha256;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.ObjectNotFoundException;
import io.restorekit.storage.Payload;

import javax.crypto.AEADBadTagException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Lock files under {@code locks/} (docs/repository-format.md §9). */
final class Locks {
    static final Duration STALE_AFTER = Duration.ofMinutes(30);
    static final Duration REFRESH_EVERY = Duration.ofMinutes(5);
    private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private final Repository repo;

    Locks(Repository repo) {
        this.repo = repo;
    }

    /** The stored JSON of a lock. */
    record LockFile(boolean exclusive, String operation, List<String> sources, String host, long pid, String user,
                    Instant time) {
        LockFile {
            sources = sources == null ? List.of() : List.copyOf(sources);
        }
    }

    RepositoryLock lock(LockRequest request) throws IOException {
        LockFile mine = new LockFile(request.exclusive(), request.operation(), request.sources(), Repository.host(),
                ProcessHandle.current().pid(), Repository.user(), repo.clock.instant());
        String myId = write(mine);
        for (LockInfo other : locks()) {
            if (!other.id().equals(myId) && !other.stale() && conflicts(mine, other)) {
                repo.storage.remove(new Handle(Kind.LOCK, myId));
                throw new RepositoryLockedException(describe(other));
            }
        }
        return new Held(mine, myId);
    }

    List<LockInfo> locks() throws IOException {
        List<LockInfo> out = new ArrayList<>();
        for (FileInfo f : Repository.list(repo.storage, Kind.LOCK)) {
            LockFile l = read(f.handle().name());
            if (l != null) {
                out.add(new LockInfo(f.handle().name(), l.exclusive(), l.operation(), l.sources(), l.host(), l.pid(),
                        l.user(), l.time(), isStale(l)));
            }
        }
        out.sort((a, b) -> a.time().compareTo(b.time()));
        return out;
    }

    int removeStale() throws IOException {
        int removed = 0;
        for (LockInfo l : locks()) {
            if (l.stale()) {
                repo.storage.remove(new Handle(Kind.LOCK, l.id()));
                removed++;
            }
        }
        return removed;
    }

    String write(LockFile lock) throws IOException {
        byte[] stored = Envelope.wrap(repo.sealer, repo.json.writeValueAsBytes(lock));
        String id = Sha256.hex(stored);
        Handle handle = new Handle(Kind.LOCK, id);
        try {
            repo.storage.save(handle, Payload.of(stored));
        } catch (IOException e) {
            // The lock may be stored although the save failed (the answer was lost): left behind, it
            // would stay live for as long as this process runs.
            try {
                repo.storage.remove(handle);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return id;
    }

    private LockFile read(String id) throws IOException {
        try {
            return repo.json.readValue(Envelope.unwrap(repo.sealer, repo.storage.readAll(new Handle(Kind.LOCK, id))),
                    LockFile.class);
        } catch (ObjectNotFoundException | AEADBadTagException gone) {
            // Removed meanwhile, or not sealed with this repository's key: not a lock of ours.
            return null;
        }
    }

    boolean isStale(LockFile l) {
        if (l.time() == null || l.time().isBefore(repo.clock.instant().minus(STALE_AFTER))) {
            return true;
        }
        return Repository.host().equals(l.host())
                && !ProcessHandle.of(l.pid()).map(ProcessHandle::isAlive).orElse(false);
    }

    private static boolean conflicts(LockFile mine, LockInfo other) {
        if (mine.exclusive() || other.exclusive()) {
            return true;
        }
        if (!"backup".equals(mine.operation()) || !"backup".equals(other.operation())) {
            return false;
        }
        // A backup of every source (no list) overlaps any other backup.
        if (mine.sources().isEmpty() || other.sources().isEmpty()) {
            return true;
        }
        Set<String> overlap = new HashSet<>(mine.sources());
        overlap.retainAll(other.sources());
        return !overlap.isEmpty();
    }

    private String describe(LockInfo l) {
        String what = l.operation() + (l.sources().isEmpty() ? "" : " of " + String.join(", ", l.sources()));
        return "repository '" + repo.storage.location() + "' is locked by " + what + " on host '" + l.host()
                + "' (pid " + l.pid() + ", user " + l.user() + ") since " + SINCE.format(l.time())
                + "; wait, or run 'rk unlock' if that process is gone";
    }

    /** A held lock, rewritten every few minutes so that others do not take it for stale. */
    private final class Held implements RepositoryLock {
        private final LockFile request;
        private final ScheduledExecutorService refresher;
        private volatile String id;
        private boolean closed;

        Held(LockFile request, String id) {
            this.request = request;
            this.id = id;
            this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "rk-lock-refresh");
                t.setDaemon(true);
                return t;
            });
            long every = REFRESH_EVERY.toMillis();
            refresher.scheduleAtFixedRate(this::refresh, every, every, TimeUnit.MILLISECONDS);
        }

        private synchronized void refresh() {
            if (closed) {
                return;
            }
            try {
                LockFile fresh = new LockFile(request.exclusive(), request.operation(), request.sources(),
                        request.host(), request.pid(), request.user(), repo.clock.instant());
                String newId = write(fresh);
                repo.storage.remove(new Handle(Kind.LOCK, id));
                id = newId;
            } catch (IOException | RuntimeException e) {
                // The next refresh tries again; the old lock stays valid for 30 minutes.
            }
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            refresher.shutdownNow();
            try {
                repo.storage.remove(new Handle(Kind.LOCK, id));
            } catch (IOException e) {
                // A lock left behind goes stale; 'rk unlock' removes it.
            }
        }
    }
}
