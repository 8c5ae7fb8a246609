package io.restorekit.storage.decorator;

import io.restorekit.common.AtomicFiles;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.Storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Keeps a local copy of the index files of a remote repository (S3, SFTP), so that opening it,
 * which reads every index file, costs a listing and the requests for the index files this host
 * has not read yet, instead of one request per index file (one per backup).
 *
 * <p>An index file is named by the SHA-256 of its bytes and never changes
 * (docs/repository-format.md), so a copy whose bytes hash to its name is the object; a copy that
 * does not is deleted and the object read again. Copies are only ever made of bytes read from the
 * remote that hash to their name, and are as sealed as in the repository. The listing always comes
 * from the remote: copies of index files no longer listed (rewritten by prune) are deleted when
 * the index files are listed. Everything else passes through. A failure to keep a copy is not an
 * error. Checks of what the remote holds read around the copies through {@link #uncached()}.
 */
public final class IndexCachingStorage extends ForwardingStorage {
    private static final Pattern NAME = Pattern.compile("[0-9a-f]{64}");

    private final Path dir;

    /** @param dir the folder of this repository's copies (created when needed) */
    public IndexCachingStorage(Storage inner, Path dir) {
        super(inner);
        this.dir = dir;
    }

    @Override
    public InputStream open(Handle handle, long offset, long length) throws IOException {
        if (!cacheable(handle)) {
            return inner.open(handle, offset, length);
        }
        byte[] all = readAll(handle);
        long end = length < 0 ? all.length : offset + length;
        if (offset < 0 || offset > end || end > all.length) {
            throw new IOException("range " + offset + "+" + length + " is beyond the end of " + handle + " ("
                    + all.length + " bytes) in " + location());
        }
        return new ByteArrayInputStream(all, (int) offset, (int) (end - offset));
    }

    @Override
    public byte[] readAll(Handle handle) throws IOException {
        if (!cacheable(handle)) {
            return inner.readAll(handle);
        }
        Path copy = dir.resolve(handle.name());
        try {
            byte[] kept = Files.readAllBytes(copy);
            if (sha256(kept).equals(handle.name())) {
                return kept;
            }
            Files.deleteIfExists(copy);
        } catch (NoSuchFileException absent) {
            // not read on this host yet
        } catch (IOException unreadable) {
            // read from the remote below
        }
        byte[] bytes = inner.readAll(handle);
        if (sha256(bytes).equals(handle.name())) {
            keep(copy, bytes);
        }
        return bytes;
    }

    @Override
    public void list(Kind kind, Consumer<FileInfo> each) throws IOException {
        if (kind != Kind.INDEX) {
            inner.list(kind, each);
            return;
        }
        Set<String> listed = new HashSet<>();
        inner.list(kind, f -> {
            synchronized (listed) {
                listed.add(f.handle().name());
            }
            each.accept(f);
        });
        forgetAllBut(listed);
    }

    @Override
    public void remove(Handle handle) throws IOException {
        inner.remove(handle);
        if (cacheable(handle)) {
            Files.deleteIfExists(dir.resolve(handle.name()));
        }
    }

    @Override
    public Storage uncached() {
        return inner.uncached();
    }

    private static boolean cacheable(Handle handle) {
        return handle.kind() == Kind.INDEX && NAME.matcher(handle.name()).matches();
    }

    private void keep(Path copy, byte[] bytes) {
        try {
            AtomicFiles.write(copy, bytes);
        } catch (IOException | RuntimeException e) {
            // only a copy: read from the remote next time
        }
    }

    private void forgetAllBut(Set<String> listed) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> copies = Files.newDirectoryStream(dir)) {
            for (Path p : copies) {
                String name = p.getFileName().toString();
                if (NAME.matcher(name).matches() && !listed.contains(name)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            // stale copies are never read: an index file is only read once listed
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
