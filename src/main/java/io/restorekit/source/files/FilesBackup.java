package io.restorekit.source.files;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.Hex;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.Repository;
import io.restorekit.repository.Snapshot;
import io.restorekit.repository.chunk.Chunker;
import io.restorekit.repository.crypto.Sha256;
import io.restorekit.repository.pack.PackWriter;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveTask;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Backs up one directory tree into tree and data blobs (docs/repository-format.md §8).
 *
 * <p>The walk is depth-first in name order and never follows symbolic links. Only the directory
 * being listed and its ancestors are in memory; each directory's tree blob is saved as soon as
 * its entries are done. Regular files are read on reader pools (many readers for small files,
 * whose reads wait on the disk; a few for large ones) while the walk goes on; a semaphore bounds
 * the files in flight so memory stays flat.
 *
 * <p>With a parent tree, a file whose size, mtime, ctime and inode are unchanged keeps the
 * parent's chunk list and hash without being read; parent subtrees are loaded only along the
 * walk. Files that vanish, cannot be read or change while being read become warnings.
 */
public final class FilesBackup {
    /** Files up to this size go to the readers of small files, larger ones to the few of large files. */
    static final int SMALL_FILE = 1 << 20;

    private final Repository repository;
    private final int threads;

    /**
     * @param threads readers of small files. Reading many small files from a cold cache waits on
     *                the disk more than it computes, so more of them than cores keep the cores busy
     *                (see {@link #defaultReaders()}). Large files are read sequentially, with the
     *                kernel's read-ahead, by at most one reader per core and a spare, each with a
     *                buffer of twice the largest chunk.
     */
    public FilesBackup(Repository repository, int threads) {
        this.repository = repository;
        this.threads = Math.max(1, threads);
    }

    public FilesBackup(Repository repository) {
        this(repository, defaultReaders());
    }

    /**
     * Readers of large files: one per core and a spare, but no more than the heap holds the buffers
     * of. Each keeps twice the largest chunk to cut from and, where its data compresses, a
     * compression buffer of one chunk; next to them the repository holds {@code packBuffers} packs
     * (filling, being hashed, being written). Arrays that large live in the old generation, about
     * two thirds of the heap. A fixed heap on a machine with many cores ran out: the `cctv` bench
     * set on 8 cores (9 readers) in 320 MiB.
     */
    static int largeReaders(int cores, long maxHeap, int maxChunk, int packSize, int packBuffers) {
        long perReader = 3L * maxChunk;
        long room = maxHeap * 2 / 3 - (long) packBuffers * PackWriter.roomy(packSize);
        return (int) Math.max(1, Math.min(cores + 1L, room / perReader));
    }

    /** Twice the cores, at least four: enough reads in flight to hide the disk's latency. */
    public static int defaultReaders() {
        return Integer.getInteger("rk.backup.readers", Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));
    }

    /**
     * The outcome of one walk.
     *
     * @param tree        the root tree blob
     * @param bytes       bytes of all files in the snapshot
     * @param addedBytes  plaintext bytes of blobs new to the repository (data and trees)
     * @param storedBytes what those new blobs take in the repository
     * @param readBytes   bytes actually read from disk
     * @param reusedFiles files taken from the parent without reading
     * @param warnings    files skipped or saved as they changed, in path order
     */
    public record Result(BlobId tree, long files, long dirs, long symlinks, long bytes, long addedBytes,
                         long storedBytes, long readBytes, long reusedFiles, List<Snapshot.Warning> warnings) {
    }

    /**
     * Walks {@code root} and saves its trees and file contents.
     *
     * @param parentTree the root tree of the previous snapshot of this source, or null
     */
    public Result backup(Path root, List<String> exclude, BlobId parentTree, ProgressListener progress)
            throws IOException {
        FileMeta rootMeta;
        try {
            rootMeta = FileMeta.read(root);
        } catch (NoSuchFileException e) {
            throw new RkException(ErrorCode.UNREACHABLE, "source folder '" + root + "' does not exist; "
                    + "check the source's path in the configuration");
        }
        if (rootMeta.type() != Node.Type.DIR) {
            throw new RkException(ErrorCode.UNREACHABLE, "source path '" + root + "' is not a folder; "
                    + "a files source backs up a folder");
        }
        Walk walk = new Walk(root, new ExcludeMatcher(exclude), progress);
        try {
            Tree parent = parentTree == null ? null : walk.loadTree(parentTree);
            BlobId tree = walk.await(walk.walkers.submit(walk.dirTask(root, "", parent, parentTree, true)));
            List<Snapshot.Warning> warnings = new ArrayList<>(walk.warnings);
            warnings.sort(Comparator.comparing(Snapshot.Warning::path, Tree.NAME_ORDER));
            return new Result(tree, walk.files.get(), walk.dirs.get(), walk.symlinks.get(), walk.bytes.get(),
                    walk.added.get(), walk.stored.get(), walk.read.get(), walk.reused.get(), warnings);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            walk.smallFiles.shutdownNow();
            walk.largeFiles.shutdownNow();
            walk.walkers.shutdownNow();
        }
    }

    private final class Walk {
        final Path root;
        final ExcludeMatcher exclude;
        final ProgressListener progress;
        final FileMeta.Names names = new FileMeta.Names();
        final ExecutorService smallFiles;
        final ExecutorService largeFiles;
        final ForkJoinPool walkers;
        final Semaphore inFlight = new Semaphore(threads * 2);
        // Each reading thread keeps its chunker buffer for file after file: small, or in the readers
        // of large files, twice the largest chunk. The native buffers behind hashing and sealing
        // (one per thread, the size of the largest chunk it handled) stay small in the many
        // readers of small files, so memory stays bounded however many wait on the disk.
        final ThreadLocal<byte[]> chunkBuffer = ThreadLocal.withInitial(() -> new byte[0]);
        final ConcurrentLinkedQueue<Snapshot.Warning> warnings = new ConcurrentLinkedQueue<>();
        final AtomicLong files = new AtomicLong();
        final AtomicLong dirs = new AtomicLong();
        final AtomicLong symlinks = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong added = new AtomicLong();
        final AtomicLong stored = new AtomicLong();
        final AtomicLong read = new AtomicLong();
        final AtomicLong reused = new AtomicLong();

        Walk(Path root, ExcludeMatcher exclude, ProgressListener progress) {
            this.root = root;
            this.exclude = exclude;
            this.progress = progress;
            int cores = Runtime.getRuntime().availableProcessors();
            // With few readers one pool serves all files, in the order the walk meets them.
            this.smallFiles = readers(threads, "rk-backup-");
            int large = largeReaders(cores, Runtime.getRuntime().maxMemory(), repository.config().chunker().max(),
                    repository.config().packSize(), repository.dataPackBuffers());
            this.largeFiles = threads <= large ? smallFiles : readers(large, "rk-backup-large-");
            AtomicInteger w = new AtomicInteger();
            this.walkers = new ForkJoinPool(walkers(cores), p -> {
                ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
                t.setName("rk-walk-" + w.incrementAndGet());
                t.setDaemon(true);
                return t;
            }, null, false);
        }

        /**
         * Threads listing folders and reading attributes: three per core (4 to 32). From a cold
         * cache each lstat waits on the disk for an inode; with a thread per core, a no-change
         * backup of 30,000 files (uploads, 2 cores) spent 1.6-2.0 s walking, with 4-8 threads
         * 1.0-1.3 s, while 12 and 24 gained nothing more and cost CPU.
         */
        static int walkers(int cores) {
            return Integer.getInteger("rk.backup.walkers", Math.max(4, Math.min(32, 3 * cores)));
        }

        private static ExecutorService readers(int n, String name) {
            AtomicInteger count = new AtomicInteger();
            return Executors.newFixedThreadPool(n, r -> {
                Thread t = new Thread(r, name + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }

        Tree loadTree(BlobId id) throws IOException {
            return TreeCodec.decode(repository.loadBlob(BlobType.TREE, id), id.shortHex());
        }

        /** Walks one directory as a fork-join task, so sibling directories are walked in parallel. */
        ForkJoinTask<BlobId> dirTask(Path dir, String rel, Tree parent, BlobId parentId, boolean isRoot) {
            return new RecursiveTask<>() {
                @Override
                protected BlobId compute() {
                    try {
                        Tree old = parent != null || parentId == null ? parent : loadTree(parentId);
                        return saveDir(dir, rel, old, parentId, isRoot);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };
        }

        void warn(String path, String message) {
            warnings.add(new Snapshot.Warning(path, message));
            progress.warn("'" + path + "': " + message);
        }

        /** Saves the tree of {@code dir}; null when it cannot be listed (then it is left out, with a warning). */
        BlobId saveDir(Path dir, String rel, Tree parent, BlobId parentId, boolean isRoot) throws IOException {
            List<String> entries = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                for (Path p : stream) {
                    entries.add(p.getFileName().toString());
                }
            } catch (NoSuchFileException e) {
                if (isRoot) {
                    throw e;
                }
                warn(rel, "vanished before it was read");
                return null;
            } catch (AccessDeniedException e) {
                if (isRoot) {
                    throw new RkException(ErrorCode.UNREACHABLE, "source folder '" + root + "' cannot be read: "
                            + "permission denied; run the backup as a user who can read it");
                }
                warn(rel, "cannot be read: permission denied");
                return null;
            }
            entries.sort(Tree.NAME_ORDER);

            // Each slot is a Node or a Future<Node>, in name order; a null result is a skipped file.
            List<Object> slots = new ArrayList<>(entries.size());
            for (String name : entries) {
                String childRel = rel.isEmpty() ? name : rel + "/" + name;
                if (exclude.excludes(childRel)) {
                    continue;
                }
                Path path = dir.resolve(name);
                FileMeta meta;
                try {
                    meta = FileMeta.read(path);
                } catch (NoSuchFileException e) {
                    warn(childRel, "vanished before it was read");
                    continue;
                } catch (IOException e) {
                    warn(childRel, "cannot be read: " + e.getMessage());
                    continue;
                }
                Node old = parent == null ? null : parent.find(name).orElse(null);
                if (meta.special()) {
                    warn(childRel, "is a socket, device or pipe; skipped");
                } else if (meta.type() == Node.Type.DIR) {
                    // The parent's subtree is loaded by the task when it starts, not here: a folder
                    // of many folders would otherwise hold all their old trees at once.
                    BlobId oldId = old != null && old.isDir() ? old.subtree() : null;
                    slots.add(new PendingDir(dirTask(path, childRel, null, oldId, false).fork(), name, meta, path));
                } else if (meta.type() == Node.Type.SYMLINK) {
                    try {
                        String target = Files.readSymbolicLink(path).toString();
                        slots.add(node(name, meta, path, null, null, null, target));
                        symlinks.incrementAndGet();
                    } catch (IOException e) {
                        warn(childRel, "vanished before it was read");
                    }
                } else if (unchanged(old, meta)) {
                    slots.add(node(name, meta, path, old.sha256(), old.content(), null, null));
                    files.incrementAndGet();
                    reused.incrementAndGet();
                    bytes.addAndGet(meta.size());
                    progress.advance(meta.size(), 1);
                } else {
                    acquire();
                    ExecutorService readers = meta.size() > SMALL_FILE ? largeFiles : smallFiles;
                    slots.add(readers.submit(() -> {
                        try {
                            return readFile(path, childRel, name);
                        } finally {
                            inFlight.release();
                        }
                    }));
                }
            }

            List<Node> nodes = new ArrayList<>(slots.size());
            for (Object slot : slots) {
                Node n;
                if (slot instanceof PendingDir d) {
                    BlobId sub = d.task().join();
                    if (sub == null) {
                        continue;
                    }
                    dirs.incrementAndGet();
                    n = node(d.name(), d.meta(), d.path(), null, null, sub, null);
                } else {
                    n = slot instanceof Future<?> f ? (Node) await(f) : (Node) slot;
                }
                if (n != null) {
                    nodes.add(n);
                }
            }
            // An unchanged directory keeps its parent's tree blob: nothing to encode, hash or look up.
            if (parent != null && parentId != null && nodes.equals(parent.nodes())
                    && repository.has(BlobType.TREE, parentId)) {
                return parentId;
            }
            byte[] json = TreeCodec.encode(new Tree(nodes));
            Repository.SaveResult r = repository.saveBlob(BlobType.TREE, json, 0, json.length);
            count(r);
            return r.id();
        }

        private record PendingDir(ForkJoinTask<BlobId> task, String name, FileMeta meta, Path path) {
        }

        boolean unchanged(Node old, FileMeta meta) {
            if (old == null || !old.isFile() || old.content() == null || old.sha256() == null) {
                return false;
            }
            if (!eq(old.size(), meta.size()) || !eq(old.mtime(), meta.mtime()) || !eq(old.ctime(), meta.ctime())
                    || !eq(old.inode(), meta.inode())) {
                return false;
            }
            for (BlobId id : old.content()) {
                if (!repository.has(BlobType.DATA, id)) {
                    return false;
                }
            }
            return true;
        }

        private static boolean eq(Long stored, long now) {
            return stored != null && stored == now;
        }

        Node readFile(Path path, String rel, String name) throws IOException {
            FileMeta before;
            try {
                before = FileMeta.read(path);
            } catch (NoSuchFileException e) {
                warn(rel, "vanished before it was read");
                return null;
            }
            if (before.type() != Node.Type.FILE) {
                warn(rel, "changed from a file to something else while the folder was read; skipped");
                return null;
            }
            Sha256.Stream sha = Sha256.stream();
            List<BlobId> content = new ArrayList<>();
            long length = 0;
            try (InputStream in = Channels.newInputStream(Files.newByteChannel(path, StandardOpenOption.READ,
                    LinkOption.NOFOLLOW_LINKS))) {
                Chunker chunker = repository.chunker(in, chunkBuffer.get());
                try {
                    for (Chunker.Slice c = chunker.nextSlice(); c != null; c = chunker.nextSlice()) {
                        sha.update(c.data(), c.offset(), c.length());
                        Repository.SaveResult r = save(c);
                        content.add(r.id());
                        length += c.length();
                        read.addAndGet(c.length());
                        progress.advance(c.length(), 0);
                    }
                } finally {
                    chunkBuffer.set(chunker.buffer());
                }
            } catch (NoSuchFileException e) {
                warn(rel, "vanished before it was read");
                return null;
            } catch (AccessDeniedException e) {
                warn(rel, "cannot be read: permission denied");
                return null;
            } catch (InterruptedIOException e) {
                throw e;
            } catch (ClosedByInterruptException e) {
                // the backup is being stopped (another reader failed): not this file's fault
                throw new InterruptedIOException("backup of '" + rel + "' interrupted");
            } catch (IOException e) {
                warn(rel, "cannot be read: " + e.getMessage());
                return null;
            }
            FileMeta after;
            try {
                after = FileMeta.read(path);
            } catch (NoSuchFileException e) {
                after = null;
            }
            if (after == null || after.size() != before.size() || after.mtime() != before.mtime()
                    || length != before.size()) {
                // Kept as read, with the attributes seen before reading, so the next run reads it again.
                warn(rel, "changed while being read; saved as read (" + length + " bytes)");
            }
            files.incrementAndGet();
            bytes.addAndGet(length);
            progress.advance(0, 1);
            FileMeta m = new FileMeta(before.type(), false, before.mode(), before.uid(), before.gid(), before.mtime(),
                    before.ctime(), before.inode(), before.device(), length);
            return node(name, m, path, Hex.encode(sha.digest()), content, null, null);
        }

        /** Repository failures end the backup; only reading the file may become a warning. */
        Repository.SaveResult save(Chunker.Slice c) {
            try {
                Repository.SaveResult r = repository.saveBlob(BlobType.DATA, c.data(), c.offset(), c.length());
                count(r);
                return r;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void count(Repository.SaveResult r) {
            if (r.added()) {
                added.addAndGet(r.rawBytes());
                stored.addAndGet(r.storedBytes());
            }
        }

        Node node(String name, FileMeta m, Path path, String sha256, List<BlobId> content, BlobId subtree,
                  String target) {
            boolean file = m.type() == Node.Type.FILE;
            return new Node(name, m.type(), m.mode(), m.uid(), m.gid(), names.user(m.uid(), path),
                    names.group(m.gid(), path), m.mtime(), file ? m.ctime() : null, file ? m.inode() : null,
                    file ? m.device() : null, file ? m.size() : null, sha256, content, subtree, target);
        }

        void acquire() throws InterruptedIOException {
            try {
                inFlight.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("backup of '" + root + "' interrupted");
            }
        }

        <T> T await(Future<T> f) throws IOException {
            try {
                return f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("backup of '" + root + "' interrupted");
            } catch (ExecutionException e) {
                throw rethrown(e.getCause());
            }
        }
    }

    /**
     * What a reader's failure becomes for the backup: its I/O error, its runtime exception, or an
     * I/O error that says what went wrong (a heap too small for the backup says how to give it
     * more).
     */
    static IOException rethrown(Throwable c) {
        if (c instanceof UncheckedIOException u) {
            return u.getCause();
        }
        if (c instanceof IOException io) {
            return io;
        }
        if (c instanceof RuntimeException re) {
            throw re;
        }
        if (c instanceof OutOfMemoryError oom) {
            return new IOException("the Java heap (" + (Runtime.getRuntime().maxMemory() >> 20) + " MiB) is too small"
                    + " for this backup; shell/rk gives a backup 320 MiB, and RK_JAVA_OPTS=-Xmx512m (for example)"
                    + " gives it more", oom);
        }
        return new IOException(c);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
