package io.restorekit.storage.local;

import io.restorekit.storage.Capabilities;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.ObjectExistsException;
import io.restorekit.storage.ObjectNotFoundException;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;
import io.restorekit.storage.StorageUnavailableException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A storage kept as files under a root folder, one file per object at {@link Handle#path()}
 * ({@code config}, {@code keys/<id>}, {@code data/<id[0..2]>/<id>}, ...).
 *
 * <p>A save writes a temporary file {@code .tmp-<random>} in the object's folder, forces it to
 * the device, publishes it under its final name without ever replacing an existing file (a hard
 * link, which fails atomically when the name exists), and forces the folder. On file systems
 * without hard links (FAT, exFAT) it publishes with an atomic rename after checking that the name
 * is free; there two concurrent saves of the same name may race, which is harmless for
 * content-addressed names. Temporary files left by a killed process are invisible to
 * {@link #list} and removed by {@link #cleanup()}.
 *
 * <p>The root folder is never created implicitly (see {@link #create}): when it is missing, for
 * instance because an external drive is not mounted, every call fails with a
 * {@link StorageUnavailableException} instead of writing to the mount point.
 */
public final class LocalStorage implements Storage {
    /** Prefix of temporary files; never a valid object name, which starts with [0-9a-z]. */
    public static final String TEMP_PREFIX = ".tmp-";

    private static final Duration TEMP_MAX_AGE = Duration.ofDays(1);
    private static final int BUFFER = 64 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path root;
    private volatile boolean hardLinks;
    private final ThreadLocal<OpenPack> lastPack = new ThreadLocal<>();
    private final Set<OpenPack> openPacks = ConcurrentHashMap.newKeySet();

    /**
     * A storage over an existing repository folder. Creates nothing; a missing {@code root} makes
     * every call fail with {@link StorageUnavailableException}.
     */
    public LocalStorage(Path root) {
        this(root, true);
    }

    LocalStorage(Path root, boolean hardLinks) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        this.hardLinks = hardLinks;
    }

    /**
     * Creates the root folder (and its parents) and one folder per {@link Kind}, for a new
     * repository; existing folders are kept as they are.
     */
    public static LocalStorage create(Path root) throws IOException {
        LocalStorage storage = new LocalStorage(root);
        try {
            Files.createDirectories(storage.root);
            for (Kind kind : Kind.values()) {
                if (kind != Kind.CONFIG) {
                    Files.createDirectories(storage.root.resolve(kind.folder()));
                }
            }
        } catch (IOException e) {
            throw storage.translate(e, "create the repository folder");
        }
        return storage;
    }

    /** The root folder, absolute. */
    public Path root() {
        return root;
    }

    @Override
    public String location() {
        return root.toString();
    }

    @Override
    public void save(Handle handle, Payload payload) throws IOException {
        checkRoot();
        Path target = file(handle);
        Path folder = target.getParent();
        Path temp = null;
        try {
            Files.createDirectories(folder);
            // Fail early for large payloads; the publish step below is what guarantees no overwrite.
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw exists(handle);
            }
            temp = folder.resolve(TEMP_PREFIX + randomSuffix());
            write(temp, payload, handle);
            publish(temp, target, handle);
            forceFolder(folder);
        } catch (ObjectExistsException e) {
            throw e;
        } catch (IOException e) {
            throw translate(e, "save " + handle);
        } finally {
            if (temp != null) {
                Files.deleteIfExists(temp);
            }
        }
    }

    @Override
    public InputStream open(Handle handle, long offset, long length) throws IOException {
        if (handle.kind() == Kind.PACK && length >= 0) {
            return openRange(handle, offset, length);
        }
        checkRoot();
        Path file = file(handle);
        FileChannel channel;
        try {
            if (Files.isDirectory(file)) {
                throw notFound(handle);
            }
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw notFound(handle);
        } catch (ObjectNotFoundException e) {
            throw e;
        } catch (IOException e) {
            throw translate(e, "read " + handle);
        }
        try {
            long size = channel.size();
            long end = length < 0 ? size : offset + length;
            if (offset < 0 || offset > end || end > size || end < 0) {
                throw new IOException("range " + offset + "+" + length + " is beyond the end of " + handle
                        + " (" + size + " bytes) in " + location());
            }
            return new RangeInputStream(channel, offset, end);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * A range of a pack, read through the pack this thread opened last when it is the same one: a
     * restore reads blob after blob from the same few packs, and opening the pack for each one
     * (checking the root, opening, sizing, closing) cost five system calls per file restored.
     * Packs never change once saved; {@link #remove} and {@link #close} close what is kept.
     */
    private InputStream openRange(Handle handle, long offset, long length) throws IOException {
        OpenPack last = lastPack.get();
        if (last == null || !last.name.equals(handle.name()) || !last.channel.isOpen()) {
            OpenPack previous = last;
            closePacks(p -> p == previous
                    // the packs of threads that have ended (a finished restore's writers)
                    || openPacks.size() >= 16 && !p.owner.isAlive());
            RangeInputStream whole = (RangeInputStream) open(handle, 0, -1);
            last = new OpenPack(handle.name(), whole.channel, whole.end, Thread.currentThread());
            openPacks.add(last);
            lastPack.set(last);
        }
        long end = offset + length;
        if (offset < 0 || end > last.size || end < offset) {
            throw new IOException("range " + offset + "+" + length + " is beyond the end of " + handle
                    + " (" + last.size + " bytes) in " + location());
        }
        return new RangeInputStream(last.channel, offset, end, false);
    }

    /** A pack kept open by one thread for its next reads. */
    private record OpenPack(String name, FileChannel channel, long size, Thread owner) {
    }

    /** Closes and forgets the kept packs {@code which} selects. */
    private void closePacks(Predicate<OpenPack> which) {
        openPacks.removeIf(p -> {
            if (!which.test(p)) {
                return false;
            }
            try {
                p.channel.close();
            } catch (IOException e) {
                // only read from
            }
            if (lastPack.get() == p) {
                lastPack.remove();
            }
            return true;
        });
    }

    @Override
    public void close() {
        closePacks(p -> true);
    }

    @Override
    public byte[] readAll(Handle handle) throws IOException {
        try (InputStream in = open(handle, 0, -1)) {
            // One array of the exact size instead of InputStream's growing buffers: twice as fast for packs.
            RangeInputStream range = (RangeInputStream) in;
            if (range.available() == Integer.MAX_VALUE) {
                throw new IOException(handle + " in " + location() + " is too large to read at once");
            }
            byte[] bytes = new byte[range.available()];
            int done = 0;
            while (done < bytes.length) {
                int n = range.read(bytes, done, bytes.length - done);
                if (n < 0) {
                    throw new IOException("object " + handle + " in " + location() + " shrank while reading");
                }
                done += n;
            }
            return bytes;
        }
    }

    @Override
    public FileInfo stat(Handle handle) throws IOException {
        checkRoot();
        try {
            BasicFileAttributes attributes = Files.readAttributes(file(handle), BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw notFound(handle);
            }
            return new FileInfo(handle, attributes.size());
        } catch (NoSuchFileException e) {
            throw notFound(handle);
        } catch (ObjectNotFoundException e) {
            throw e;
        } catch (IOException e) {
            throw translate(e, "stat " + handle);
        }
    }

    @Override
    public void list(Kind kind, Consumer<FileInfo> each) throws IOException {
        checkRoot();
        try {
            if (kind == Kind.CONFIG) {
                Handle config = Handle.config();
                Path file = file(config);
                if (Files.isRegularFile(file)) {
                    each.accept(new FileInfo(config, Files.size(file)));
                }
                return;
            }
            Path folder = root.resolve(kind.folder());
            if (!Files.isDirectory(folder)) {
                return;
            }
            if (kind == Kind.PACK) {
                try (DirectoryStream<Path> subfolders = Files.newDirectoryStream(folder)) {
                    for (Path subfolder : subfolders) {
                        if (Files.isDirectory(subfolder)) {
                            listFolder(kind, subfolder, each);
                        }
                    }
                }
            } else {
                listFolder(kind, folder, each);
            }
        } catch (IOException e) {
            throw translate(e, "list " + kind.folder());
        }
    }

    @Override
    public void remove(Handle handle) throws IOException {
        checkRoot();
        if (handle.kind() == Kind.PACK) {
            // Another live thread may be reading its copy: it keeps the (unchanging) bytes it has
            // open, as any open file is kept, until it moves to another pack or ends.
            closePacks(p -> p.name.equals(handle.name()) && (p.owner == Thread.currentThread() || !p.owner.isAlive()));
        }
        try {
            Files.deleteIfExists(file(handle));
        } catch (IOException e) {
            throw translate(e, "remove " + handle);
        }
    }

    @Override
    public Capabilities capabilities() {
        long free;
        try {
            free = Files.getFileStore(root).getUsableSpace();
        } catch (IOException e) {
            free = -1;
        }
        return new Capabilities(true, free);
    }

    /** Removes temporary files older than a day, left by saves that were killed; returns how many. */
    public int cleanup() throws IOException {
        return cleanup(Instant.now().minus(TEMP_MAX_AGE));
    }

    /** Removes temporary files last modified before {@code before}; returns how many. */
    @Override
    public int cleanup(Instant before) throws IOException {
        checkRoot();
        int removed = 0;
        try {
            for (Kind kind : Kind.values()) {
                if (kind == Kind.CONFIG) {
                    removed += cleanupFolder(root, before);
                    continue;
                }
                Path folder = root.resolve(kind.folder());
                if (!Files.isDirectory(folder)) {
                    continue;
                }
                removed += cleanupFolder(folder, before);
                if (kind == Kind.PACK) {
                    try (DirectoryStream<Path> subfolders = Files.newDirectoryStream(folder, Files::isDirectory)) {
                        for (Path subfolder : subfolders) {
                            removed += cleanupFolder(subfolder, before);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw translate(e, "remove temporary files");
        }
        return removed;
    }

    @Override
    public String toString() {
        return "LocalStorage[" + root + "]";
    }

    private void write(Path temp, Payload payload, Handle handle) throws IOException {
        long written = 0;
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            if (payload instanceof Payload.Bytes bytes) {
                writeFully(channel, ByteBuffer.wrap(bytes.bytes()));
                written = bytes.bytes().length;
            } else {
                byte[] buffer = new byte[BUFFER];
                try (InputStream in = payload.open()) {
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        writeFully(channel, ByteBuffer.wrap(buffer, 0, n));
                        written += n;
                    }
                }
            }
            if (written != payload.length()) {
                throw new IOException("payload for " + handle + " has " + written + " bytes, expected "
                        + payload.length());
            }
            channel.force(true);
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private void publish(Path temp, Path target, Handle handle) throws IOException {
        if (hardLinks) {
            try {
                Files.createLink(target, temp);
                return;
            } catch (FileAlreadyExistsException e) {
                throw exists(handle);
            } catch (UnsupportedOperationException | FileSystemException e) {
                // FAT and exFAT answer link() with EPERM, a plain FileSystemException; the
                // subclasses (access denied, no such file) are real problems.
                if (e instanceof FileSystemException f && f.getClass() != FileSystemException.class) {
                    throw f;
                }
                moveIfAbsent(temp, target, handle);
                hardLinks = false;
                return;
            }
        }
        moveIfAbsent(temp, target, handle);
    }

    private void moveIfAbsent(Path temp, Path target, Handle handle) throws IOException {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw exists(handle);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void forceFolder(Path folder) {
        // Makes the new directory entry durable; some platforms (Windows) cannot open a folder
        // for this, and there the rename is as durable as the file system makes it.
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
        }
    }

    private void listFolder(Kind kind, Path folder, Consumer<FileInfo> each) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith(TEMP_PREFIX)) {
                    continue;
                }
                Handle handle;
                try {
                    handle = new Handle(kind, name);
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (!file(handle).equals(file)) {
                    continue;
                }
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(file, BasicFileAttributes.class);
                } catch (NoSuchFileException e) {
                    continue;
                }
                if (attributes.isRegularFile()) {
                    each.accept(new FileInfo(handle, attributes.size()));
                }
            }
        }
    }

    private static int cleanupFolder(Path folder, Instant before) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(folder, TEMP_PREFIX + "*")) {
            for (Path temp : temps) {
                try {
                    if (Files.isRegularFile(temp)
                            && Files.getLastModifiedTime(temp).toInstant().isBefore(before)
                            && Files.deleteIfExists(temp)) {
                        removed++;
                    }
                } catch (NoSuchFileException e) {
                    // removed meanwhile by the save that owned it
                }
            }
        }
        return removed;
    }

    private Path file(Handle handle) {
        return root.resolve(handle.path());
    }

    private void checkRoot() throws StorageUnavailableException {
        if (!Files.isDirectory(root)) {
            throw new StorageUnavailableException("repository folder '" + root
                    + "' does not exist or is not mounted; mount the drive or correct the repository path");
        }
    }

    private IOException translate(IOException e, String what) {
        if (e instanceof ObjectExistsException || e instanceof ObjectNotFoundException
                || e instanceof StorageUnavailableException) {
            return e;
        }
        String message = String.valueOf(e.getMessage());
        if (message.contains("No space left on device") || message.contains("Disk quota exceeded")) {
            return new IOException("no space left on the device of '" + root + "' to " + what
                    + "; free space there or move the repository", e);
        }
        if (e instanceof AccessDeniedException) {
            return new StorageUnavailableException("permission denied to " + what + " in '" + root
                    + "'; check the owner and permissions of the repository folder", e);
        }
        if (!Files.isDirectory(root)) {
            return new StorageUnavailableException("repository folder '" + root
                    + "' disappeared while trying to " + what + "; check that the drive is still mounted", e);
        }
        return e;
    }

    private ObjectExistsException exists(Handle handle) {
        return new ObjectExistsException(handle + " already exists in " + location());
    }

    private ObjectNotFoundException notFound(Handle handle) {
        return new ObjectNotFoundException(handle + " does not exist in " + location());
    }

    private static String randomSuffix() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Positional reads of [position, end) of a channel, which it closes. */
    private static final class RangeInputStream extends InputStream {
        private final FileChannel channel;
        private final long end;
        private final boolean owned;
        private long position;

        RangeInputStream(FileChannel channel, long start, long end) {
            this(channel, start, end, true);
        }

        /** @param owned whether closing this stream closes the channel */
        RangeInputStream(FileChannel channel, long start, long end, boolean owned) {
            this.channel = channel;
            this.position = start;
            this.end = end;
            this.owned = owned;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            long remaining = end - position;
            if (remaining <= 0) {
                return -1;
            }
            ByteBuffer buffer = ByteBuffer.wrap(b, off, (int) Math.min(len, remaining));
            int n = channel.read(buffer, position);
            if (n < 0) {
                throw new IOException("object shrank while reading: expected bytes up to " + end
                        + ", the file ends at " + position);
            }
            position += n;
            return n;
        }

        @Override
        public long skip(long n) {
            long skipped = Math.max(0, Math.min(n, end - position));
            position += skipped;
            return skipped;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, end - position);
        }

        @Override
        public void close() throws IOException {
            if (owned) {
                channel.close();
            }
        }
    }
}
