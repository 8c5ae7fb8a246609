package io.restorekit.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A local, append-only file of audit entries not yet in the catalog. A command that never needs
 * the catalog appends its entry here (a millisecond) instead of opening the database; the next
 * process that opens the catalog moves the entries in. One entry per line, fields URL-encoded and
 * separated by spaces; appends and the move hold an exclusive file lock, so concurrent rk processes
 * neither interleave nor lose entries.
 */
public final class AuditSpool {
    private final Path file;

    public AuditSpool(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public void append(AuditEntry e) {
        Actor a = e.actor() == null ? new Actor(null, null, null, null) : e.actor();
        String line = String.join(" ", encode(e.at().toString()), encode(a.user()), encode(a.host()),
                encode(a.runbook()), encode(a.runbookCommit()), encode(e.command()), encode(e.outcome()),
                Integer.toString(e.exitCode()), encode(e.message())) + "\n";
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND); FileLock ignored = ch.lock()) {
                ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
                ch.force(false);
            }
        } catch (IOException e2) {
            throw new UncheckedIOException("cannot append to the audit spool '" + file + "'", e2);
        }
    }

    /** Records every spooled entry in {@code catalog}, oldest first, and empties the spool; returns how many. */
    public int drainInto(Catalog catalog) {
        try {
            // drained before: the file stays, empty (one stat instead of opening and locking it)
            if (Files.size(file) == 0) {
                return 0;
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit spool '" + file + "'", e);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            ByteBuffer buffer = ByteBuffer.allocate((int) ch.size());
            while (buffer.hasRemaining() && ch.read(buffer) >= 0) {
                // read it all
            }
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
            List<AuditEntry> entries = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    entries.add(parse(line));
                }
            }
            if (entries.isEmpty()) {
                return 0;
            }
            try (Catalog.Held held = catalog.hold()) {
                for (AuditEntry entry : entries) {
                    catalog.audit(entry);
                }
            }
            ch.truncate(0);
            ch.force(false);
            return entries.size();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit spool '" + file + "'", e);
        }
    }

    private static AuditEntry parse(String line) {
        String[] f = line.split(" ", -1);
        Actor actor = new Actor(decode(f[1]), decode(f[2]), decode(f[3]), decode(f[4]));
        return new AuditEntry(0, Instant.parse(decode(f[0])), actor, decode(f[5]), decode(f[6]),
                Integer.parseInt(f[7]), decode(f[8]));
    }

    private static String encode(String s) {
        return s == null ? "-" : s.isEmpty() ? "%00" : URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String decode(String s) {
        return s.equals("-") ? null : s.equals("%00") ? "" : URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
