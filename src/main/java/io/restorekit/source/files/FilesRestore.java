package io.restorekit.source.files;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.Hex;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryCorruptException;
import io.restorekit.repository.crypto.Sha256;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Restores parts of a files snapshot into a target folder, safely.
 *
 * <p>Safety: entry names from tree blobs are checked (no empty name, {@code .}, {@code ..},
 * {@code /} or NUL) before anything is written; nothing met on disk inside the target is
 * followed: an existing folder on the way must be a real folder, not a link, and each file's
 * folder is checked to resolve to where it should the first time a file goes into it, and to be
 * that same folder (device and inode) just before each file is written. Files and links are
 * written under a temporary name in their folder and renamed into place.
 *
 * <p>Only the tree blobs along the selected paths and the data blobs of the files written are
 * read. Files are written by a small pool; folder times and modes are set last, children first.
 */
public final class FilesRestore {
    private static final int WRITE_PIECE = 1 << 20;

    private final Repository repository;
    private final int threads;
    private final String snapshot;

    public FilesRestore(Repository repository, int threads) {
        this(repository, threads, null);
    }

    /** @param snapshot the id shown in messages about a file that cannot be restored; null for none */
    public FilesRestore(Repository repository, int threads, String snapshot) {
        this.repository = repository;
        this.threads = Math.max(1, threads);
        this.snapshot = snapshot;
    }

    /** What happens to one entry. */
    public enum Action {
        /** Not on disk: written. */
        CREATE,
        /** On disk with other content: replaced. */
        OVERWRITE,
        /** On disk with the same content (size and SHA-256, or link target): left alone. */
        UNCHANGED,
        /** A folder that already exists: kept, its mode and times are set. */
        EXISTS
    }

    /**
     * One entry to restore.
     *
     * @param path     relative to the source root, {@code /}-separated
     * @param ancestor a folder above a selected path: created when missing, its metadata left alone
     */
    public record Item(String path, Node node, Action action, boolean ancestor) {
        public Node.Type type() {
            return node.type();
        }

        public long size() {
            return node.sizeOrZero();
        }
    }

    /** Everything a restore would do, computed without writing. */
    public record Plan(Path target, List<Item> items) {
        public Plan {
            items = List.copyOf(items);
        }

        public long count(Action action) {
            return items.stream().filter(i -> !i.node().isDir() && i.action() == action).count();
        }

        public long dirsToCreate() {
            return items.stream().filter(i -> i.node().isDir() && i.action() == Action.CREATE).count();
        }

        /** Content bytes to read from the repository. */
        public long bytesToRead() {
            return items.stream().filter(i -> i.node().isFile() && writes(i.action()))
                    .mapToLong(Item::size).sum();
        }
    }

    /** What a restore did. */
    public record Outcome(long filesWritten, long filesOverwritten, long filesUnchanged, long dirsCreated,
                          long bytesWritten, List<String> warnings) {
        public Outcome {
            warnings = List.copyOf(warnings);
        }
    }

    static boolean writes(Action a) {
        return a == Action.CREATE || a == Action.OVERWRITE;
    }

    /**
     * Plans restoring {@code selections} (each a list of path components; an empty list is the
     * whole tree) of the tree {@code root} into {@code target}. Hashes existing files to tell
     * unchanged ones apart.
     *
     * @throws RepositoryCorruptException when a tree holds an unsafe name or a selection is missing
     * @throws RkException                when something on disk is in the way (a link or a file
     *                                    where a folder must go)
     */
    public Plan plan(BlobId root, List<List<String>> selections, Path target) throws IOException {
        TreeReader trees = new TreeReader(repository, 64);
        Map<String, Item> items = new LinkedHashMap<>();
        Path base = realTarget(target);
        for (List<String> sel : selections) {
            Node node = trees.find(root, sel).orElseThrow(() -> new RkException(ErrorCode.BAD_INPUT,
                    "'" + String.join("/", sel) + "' is not in the snapshot; list it with 'ls'"));
            // Folders above the selection are created when missing, walked through when real.
            boolean parentMissing = base == null;
            for (int i = 0; i < sel.size() - 1; i++) {
                String rel = String.join("/", sel.subList(0, i + 1));
                Node dir = trees.find(root, sel.subList(0, i + 1)).orElseThrow();
                Item item = items.get(rel);
                if (item == null) {
                    Action a = parentMissing ? Action.CREATE : classify(dir, disk(base, rel), rel);
                    item = new Item(rel, dir, a, true);
                    items.put(rel, item);
                }
                parentMissing = item.action() == Action.CREATE;
            }
            if (sel.isEmpty()) {
                addChildren(trees, node, "", base == null, base, items);
            } else {
                addSubtree(trees, node, String.join("/", sel), parentMissing, base, items);
            }
        }
        return new Plan(target, new ArrayList<>(items.values()));
    }

    private void addSubtree(TreeReader trees, Node node, String rel, boolean parentMissing, Path base,
                            Map<String, Item> items) throws IOException {
        Action a = parentMissing ? Action.CREATE : classify(node, disk(base, rel), rel);
        Item previous = items.get(rel);
        items.put(rel, new Item(rel, node, a, false));
        if (node.isDir() && (previous == null || previous.ancestor())) {
            addChildren(trees, node, rel, a == Action.CREATE, base, items);
        }
    }

    private void addChildren(TreeReader trees, Node dir, String rel, boolean missing, Path base,
                             Map<String, Item> items) throws IOException {
        if (dir.subtree() == null) {
            throw new RepositoryCorruptException("folder '" + rel + "' in the snapshot has no tree; run 'rk verify'");
        }
        Set<String> seen = new java.util.HashSet<>();
        for (Node child : trees.load(dir.subtree()).nodes()) {
            String reason = Node.unsafeNameReason(child.name());
            if (reason == null && !seen.add(child.name())) {
                reason = "a name used twice ('" + child.name() + "')";
            }
            if (reason != null) {
                throw new RepositoryCorruptException("the snapshot's folder '" + (rel.isEmpty() ? "/" : rel)
                        + "' holds an entry with " + reason + ", which could write outside the target; "
                        + "nothing was restored. Run 'rk verify' and restore from another snapshot");
            }
            if (child.type() == null) {
                throw new RepositoryCorruptException("entry '" + child.name() + "' in '" + rel
                        + "' has no type; run 'rk verify'");
            }
            String childRel = rel.isEmpty() ? child.name() : rel + "/" + child.name();
            addSubtree(trees, child, childRel, missing, base, items);
        }
    }

    /** The target resolved once (the operator may point it through a link), or null when it does not exist yet. */
    private static Path realTarget(Path target) throws IOException {
        if (!Files.exists(target)) {
            return null;
        }
        if (!Files.isDirectory(target)) {
            throw new RkException(ErrorCode.BAD_INPUT, "restore target '" + target + "' is not a folder; "
                    + "give a folder (it is created when missing)");
        }
        return target.toRealPath();
    }

    private static Path disk(Path base, String rel) {
        return base.resolve(rel);
    }

    private Action classify(Node node, Path onDisk, String rel) throws IOException {
        FileMeta meta;
        try {
            meta = FileMeta.read(onDisk);
        } catch (NoSuchFileException e) {
            return Action.CREATE;
        }
        if (node.isDir()) {
            if (meta.type() == Node.Type.DIR) {
                return Action.EXISTS;
            }
            throw inTheWay(onDisk, meta, "a folder");
        }
        if (meta.type() == Node.Type.DIR) {
            throw inTheWay(onDisk, meta, node.isFile() ? "a file" : "a link");
        }
        if (node.isSymlink()) {
            return meta.type() == Node.Type.SYMLINK
                    && Files.readSymbolicLink(onDisk).toString().equals(node.target())
                    ? Action.UNCHANGED : Action.OVERWRITE;
        }
        if (meta.type() == Node.Type.FILE && meta.size() == node.sizeOrZero() && node.sha256() != null
                && node.sha256().equals(hashOf(onDisk))) {
            return Action.UNCHANGED;
        }
        return Action.OVERWRITE;
    }

    private static RkException inTheWay(Path onDisk, FileMeta meta, String what) {
        String found = meta.type() == Node.Type.SYMLINK ? "a symbolic link"
                : meta.type() == Node.Type.FILE ? "a file" : "a special file";
        String hint = meta.type() == Node.Type.SYMLINK
                ? "; restore never writes through links: remove it or restore into another target"
                : "; move it away or restore into another target";
        return new RkException(ErrorCode.FAILED, "'" + onDisk + "' is " + found + " where the snapshot has "
                + what + hint);
    }

    private static String hashOf(Path file) throws IOException {
        MessageDigest sha = FilesBackup.sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Channels.newInputStream(Files.newByteChannel(file, StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS))) {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                Sha256.update(sha, buf, 0, n);
            }
        }
        return Hex.encode(sha.digest());
    }

    /** Carries out {@code plan}: folders first, then files on the pool, then folder metadata children first. */
    public Outcome apply(Plan plan, ProgressListener progress) throws IOException {
        Files.createDirectories(plan.target());
        Path base = plan.target().toRealPath();
        boolean owners = runningAsRoot();
        Folders folders = new Folders(base);
        FileTime now = FileTime.from(Instant.now());
        ConcurrentLinkedQueue<String> warnings = new ConcurrentLinkedQueue<>();
        AtomicLong written = new AtomicLong();
        AtomicLong overwritten = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        long unchanged = 0;
        long dirsCreated = 0;
        progress.total(plan.bytesToRead(), plan.items().size());

        AtomicInteger n = new AtomicInteger();
        // Twice as many writers as cores: while one waits for its pack read or file write, another
        // decrypts, so reading, decrypting and writing overlap instead of taking turns.
        int writers = threads * 2;
        ExecutorService pool = Executors.newFixedThreadPool(writers, r -> {
            Thread t = new Thread(r, "rk-restore-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        Semaphore inFlight = new Semaphore(writers * 2);
        List<Future<?>> jobs = new ArrayList<>();
        try {
            for (Item item : plan.items()) {
                Path dest = base.resolve(item.path());
                if (item.node().isDir()) {
                    if (item.action() == Action.CREATE) {
                        createDir(dest, folders, item.path());
                        dirsCreated++;
                    } else {
                        requireRealDir(dest);
                    }
                    progress.advance(0, 1);
                } else if (item.action() == Action.UNCHANGED) {
                    unchanged++;
                    progress.advance(0, 1);
                } else {
                    acquire(inFlight);
                    jobs.add(pool.submit(() -> {
                        try {
                            long size = writeEntry(item, dest, folders, owners, now, warnings, progress);
                            bytes.addAndGet(size);
                            (item.action() == Action.OVERWRITE ? overwritten : written).incrementAndGet();
                            progress.advance(0, 1);
                            return null;
                        } finally {
                            inFlight.release();
                        }
                    }));
                }
                failFast(jobs);
            }
            for (Future<?> job : jobs) {
                await(job);
            }
        } finally {
            pool.shutdownNow();
        }
        // Children change their folder's mtime, and a read-only mode would stop them: folders last, deepest first.
        List<Item> items = plan.items();
        for (int i = items.size() - 1; i >= 0; i--) {
            Item item = items.get(i);
            if (item.node().isDir() && !(item.ancestor() && item.action() != Action.CREATE)) {
                applyMetadata(base.resolve(item.path()), item.node(), owners ? Owner.UNKNOWN : null, false, now,
                        warnings);
            }
        }
        return new Outcome(written.get(), overwritten.get(), unchanged, dirsCreated, bytes.get(),
                new ArrayList<>(warnings));
    }

    /**
     * Creates folder {@code dest} once its parent is checked, and checks it in turn: each folder
     * is resolved in full once, here, before any writer uses it, and is then known by its identity
     * ({@link Folders}). Its subfolders and files find it with one {@code lstat} each, where every
     * subfolder resolved its parent's whole path again, and the writers of a new folder's first
     * files each resolved it at the same time (the {@code uploads} restore: 11,700 {@code readlink}
     * calls instead of 40,000, for 3,400 {@code lstat} more).
     */
    private static void createDir(Path dest, Folders folders, String rel) throws IOException {
        folders.check(dest.getParent(), rel);
        try {
            Files.createDirectory(dest);
        } catch (FileAlreadyExistsException e) {
            requireRealDir(dest);
        }
        folders.check(dest, rel);
    }

    private static void requireRealDir(Path dest) throws IOException {
        FileMeta meta = FileMeta.read(dest);
        if (meta.type() != Node.Type.DIR) {
            throw inTheWay(dest, meta, "a folder");
        }
    }

    /**
     * Checks, just before writing into {@code dir}, that it resolves to where it should: a link
     * swapped in since the plan would resolve elsewhere.
     */
    private static void requireInside(Path dir, Path base, String rel) throws IOException {
        Path real = dir.toRealPath();
        if (!real.equals(dir) || !real.startsWith(base)) {
            throw new RkException(ErrorCode.FAILED, "folder '" + dir + "' resolves to '" + real
                    + "' through a symbolic link; restore never writes through links: remove it or restore "
                    + "into another target ('" + rel + "' was not written)");
        }
    }

    /**
     * The folders files are written into, each checked with {@link #requireInside} the first time
     * and then by its identity: a file's folder is checked just before the file is written with one
     * {@code lstat} (same device and inode as when it was resolved, still a folder), instead of
     * resolving its whole path again. A link swapped in anywhere on the way changes what the path
     * leads to, and so its identity.
     */
    static final class Folders {
        private final Path base;
        private final Map<Path, Folder> checked = new ConcurrentHashMap<>();

        Folders(Path base) {
            this.base = base;
        }

        /** The folder {@code dir} as it is now; fails as {@link #requireInside} does when it leads elsewhere. */
        Folder check(Path dir, String rel) throws IOException {
            Folder seen = checked.get(dir);
            if (seen == null) {
                requireInside(dir, base, rel);
                Folder first = Folder.of(dir);
                checked.putIfAbsent(dir, first);
                return first;
            }
            Folder now = Folder.of(dir);
            if (!seen.sameAs(now)) {
                // Something else is there now (or the file system does not keep inode numbers):
                // resolved again, as the first time.
                requireInside(dir, base, rel);
                checked.put(dir, now);
            }
            return now;
        }
    }

    /** A folder's identity, and its group, which files created in it may take. */
    record Folder(Object dev, Object ino, boolean isDir, int mode, int gid) {
        static Folder of(Path dir) throws IOException {
            Map<String, Object> a = Files.readAttributes(dir, "unix:dev,ino,mode,gid", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            return new Folder(a.get("dev"), a.get("ino"), (mode & 0170000) == 0040000, mode, (Integer) a.get("gid"));
        }

        boolean sameAs(Folder other) {
            return isDir && other.isDir && dev.equals(other.dev) && ino.equals(other.ino);
        }

        /**
         * The owner a file created here by this process is sure to get: its user, and a group only
         * where both rules agree (the process's group, or the folder's where the folder is
         * set-group-ID or the file system is mounted with {@code grpid}): -1, to be set, otherwise.
         */
        Owner newFiles() {
            return new Owner(Owner.PROCESS.uid(), gid == Owner.PROCESS.gid() ? gid : -1);
        }
    }

    /** A numeric owner; {@link #UNKNOWN} when not known, so that both ids are set. */
    private record Owner(long uid, long gid) {
        static final Owner UNKNOWN = new Owner(-1, -1);
        static final Owner PROCESS = process();

        private static Owner process() {
            try {
                com.sun.security.auth.module.UnixSystem system = new com.sun.security.auth.module.UnixSystem();
                return new Owner(system.getUid(), system.getGid());
            } catch (Throwable e) {
                return UNKNOWN;
            }
        }
    }

    /**
     * The process's file mode creation mask, from {@code /proc/self/status}; -1 when it cannot be
     * read. A file created with mode m gets {@code m & ~umask}.
     */
    static final int UMASK = umask();

    private static int umask() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Umask:")) {
                    return Integer.parseInt(line.substring("Umask:".length()).strip(), 8);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the mode is then always set after the write
        }
        return -1;
    }

    /** Whether a file created with {@code mode} gets exactly it: permission bits only, none of them masked. */
    static boolean createsExactly(int mode, int umask) {
        return umask >= 0 && (mode & 07000) == 0 && (mode & umask) == 0;
    }

    private long writeEntry(Item item, Path dest, Folders folders, boolean owners, FileTime now,
                            ConcurrentLinkedQueue<String> warnings, ProgressListener progress) throws IOException {
        Path dir = dest.getParent();
        Folder folder = folders.check(dir, item.path());
        Node node = item.node();
        // The name only has to differ from its neighbours' (CREATE_NEW refuses a taken one): a
        // per-thread generator, not one SecureRandom all writers queue on for every file.
        Path temp = dir.resolve(".rk-restore-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        long size = 0;
        try {
            boolean modeSet = false;
            if (node.isSymlink()) {
                Files.createSymbolicLink(temp, Path.of(node.target()));
            } else {
                int mode = node.modeOrDefault() & 07777;
                modeSet = createsExactly(mode, UMASK);
                size = writeContent(node, temp, item.path(), modeSet ? mode : -1, progress);
            }
            applyMetadata(temp, node, owners ? folder.newFiles() : null, modeSet, now, warnings);
            // rename(2) replaces what is there, a link included, without following it.
            Files.move(temp, dest, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return size;
    }

    // Content is authenticated blob by blob as it is read (GCM tag, then the keyed id of the
    // plaintext, docs/repository-format.md §2), and the tree listing the blob ids is itself such
    // a blob: a second SHA-256 pass over every restored byte would only repeat that check.
    private long writeContent(Node node, Path temp, String rel, int mode, ProgressListener progress)
            throws IOException {
        long[] length = {0};
        FileAttribute<?>[] attributes = mode < 0 ? new FileAttribute<?>[0]
                : new FileAttribute<?>[] {PosixFilePermissions
                        .asFileAttribute(permissions(mode))};
        try (OutputStream out = Channels.newOutputStream(Files.newByteChannel(temp, Set.of(
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), attributes))) {
            List<BlobId> content = node.content() == null ? List.of() : node.content();
            for (BlobId id : content) {
                readContent(id, rel, (data, off, len) -> {
                    // Bounded writes let the channel reuse one temporary direct buffer (see FastCdc).
                    for (int p = 0; p < len; p += WRITE_PIECE) {
                        out.write(data, off + p, Math.min(WRITE_PIECE, len - p));
                    }
                    length[0] += len;
                    progress.advance(len, 0);
                });
            }
        }
        if (length[0] != node.sizeOrZero()) {
            throw new RepositoryCorruptException("file '" + rel + "' restored from the repository has " + length[0]
                    + " bytes, not the " + node.sizeOrZero() + " its snapshot records; run 'rk verify --read-data'");
        }
        return length[0];
    }

    /** Reads a data blob of file {@code rel}; a damaged or missing blob fails naming the file, with its original code. */
    private void readContent(BlobId id, String rel, Repository.BlobConsumer consumer) throws IOException {
        try {
            repository.readBlob(BlobType.DATA, id, consumer);
        } catch (RkException e) {
            String message = "cannot restore '" + rel + "'" + (snapshot == null ? "" : " from snapshot " + snapshot)
                    + ": " + e.getMessage();
            throw e instanceof RepositoryCorruptException ? new RepositoryCorruptException(message, e)
                    : new RkException(e.code(), message, e);
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set =
                EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values();
        // OWNER_READ .. OTHERS_EXECUTE are bits 8 .. 0
        for (int i = 0; i < all.length; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                set.add(all[i]);
            }
        }
        return set;
    }

    /**
     * Sets owner (when {@code current} is not null: running as root; ids it already has are not
     * set again), mode (unless {@code modeSet}: the file was created with it) and times.
     */
    private static void applyMetadata(Path path, Node node, Owner current, boolean modeSet, FileTime now,
                                      ConcurrentLinkedQueue<String> warnings) {
        try {
            if (current != null && node.uid() != null && node.gid() != null) {
                if (node.uid() != current.uid()) {
                    Files.setAttribute(path, "unix:uid", node.uid(), LinkOption.NOFOLLOW_LINKS);
                }
                if (node.gid() != current.gid()) {
                    Files.setAttribute(path, "unix:gid", node.gid(), LinkOption.NOFOLLOW_LINKS);
                }
            }
            if (!node.isSymlink() && !modeSet) {
                // Links have no mode of their own on Linux; without following, this is fchmod on an O_NOFOLLOW fd.
                Files.setAttribute(path, "unix:mode", node.modeOrDefault() & 07777, LinkOption.NOFOLLOW_LINKS);
            }
            setMtime(path, node, now);
        } catch (IOException | UnsupportedOperationException e) {
            warnings.add("'" + path + "': metadata not restored: " + e.getMessage());
        }
    }

    // The access time is set too (to when the restore began, as a new file's is): with either time
    // left out, the current ones are read first.
    private static void setMtime(Path path, Node node, FileTime now) throws IOException {
        if (node.mtime() == null) {
            return;
        }
        FileTime t = FileTime.from(node.mtime(), TimeUnit.NANOSECONDS);
        try {
            Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(t, now, null);
        } catch (IOException e) {
            // A link's own time cannot be set on every platform; its target matters, not its time.
            if (!node.isSymlink()) {
                throw e;
            }
        }
    }

    static boolean runningAsRoot() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    private static void acquire(Semaphore s) throws InterruptedIOException {
        try {
            s.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("restore interrupted");
        }
    }

    /**
     * Stops queueing work once a file has failed: awaits and drops the jobs that are done. Only a
     * job seen done and awaited is dropped; one that ends meanwhile stays for the next call or the
     * final wait (dropping every job done by the end of the pass lost the failure of one that ended
     * in between, and the restore then finished without that file and without an error).
     */
    static void failFast(List<Future<?>> jobs) throws IOException {
        for (Iterator<Future<?>> it = jobs.iterator(); it.hasNext(); ) {
            Future<?> job = it.next();
            if (job.isDone()) {
                await(job);
                it.remove();
            }
        }
    }

    private static void await(Future<?> job) throws IOException {
        try {
            job.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("restore interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(c);
        }
    }
}
