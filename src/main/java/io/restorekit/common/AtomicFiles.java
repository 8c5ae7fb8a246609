package io.restorekit.common;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Replacing a small local file (a cache, a state or marker file) so that a reader, or the next
 * process after a crash, finds either the old content or the new, never a part: the content goes
 * to a temporary file of a unique name in the same folder, which is then renamed over the file.
 * Not synced to the disk: for files that are written again or rebuilt when lost. Repository
 * objects have their own, stricter path ({@code LocalStorage}).
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the content of a temporary file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Replaces {@code file} with {@code bytes}, creating its folder when needed. */
    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, out -> out.write(bytes));
    }

    /**
     * Replaces {@code file} with what {@code content} writes (to a buffered stream), creating its
     * folder when needed; when {@code content} fails, the file is left as it was and no temporary
     * file is left behind.
     */
    public static void write(Path file, Content content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                content.writeTo(out);
            }
            replace(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Renames {@code tmp} over {@code file}: atomically where the file system can, else as a plain
     * replacing move.
     */
    public static void replace(Path tmp, Path file) throws IOException {
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
