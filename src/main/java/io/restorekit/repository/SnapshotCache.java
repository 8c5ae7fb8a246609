package io.restorekit.repository;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.restorekit.common.AtomicFiles;
import io.restorekit.repository.crypto.Envelope;
import io.restorekit.repository.crypto.Sealer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.AEADBadTagException;

/**
 * The snapshot manifests this host has already read from a repository, so that listing the
 * snapshots (every backup does, to find its parent; so do {@code snapshots}, {@code restore
 * --at}, retention) reads only the ones it has not seen: with a source backed up every ten
 * minutes, thousands of manifests, and on S3 or SFTP each one a request.
 *
 * <p>A manifest's name is the SHA-256 of its stored bytes and it never changes, so a manifest read
 * (and checked against its name) once stays valid; one that is no longer listed (forgotten) is
 * dropped. In the process the manifests are kept as read; on disk, when a folder is given, in one
 * file sealed with the repository's key like the repository's own files (an edited or foreign
 * file fails authentication and is ignored), replaced atomically. The cache is never the source of
 * truth: a missing, damaged or unwritable file only means reading the manifests again.
 */
final class SnapshotCache {
    private static final int FORMAT = 1;
    private static final String FILE = "snapshots.sealed";

    private final Sealer sealer;
    private final ObjectMapper json;
    /** The plaintext JSON of each manifest by id, as read from the repository. */
    private final Map<String, byte[]> bodies = new ConcurrentHashMap<>();
    private final Map<String, Snapshot> parsed = new ConcurrentHashMap<>();
    private Path file;
    private boolean loaded;
    /** The ids the file held when it was last read or written. */
    private Set<String> onDisk = Set.of();

    SnapshotCache(Sealer sealer, ObjectMapper json) {
        this.sealer = sealer;
        this.json = json;
    }

    /** What is stored on disk: the format and the manifests' JSON by id. */
    record Stored(int format, Map<String, String> snapshots) {
    }

    /** Keeps the cache in {@code folder} (created when needed) from now on; null keeps it in the process only. */
    synchronized void useFolder(Path folder) {
        Path f = folder == null ? null : folder.resolve(FILE);
        if (f != null && !f.equals(file)) {
            loaded = false;
        }
        file = f;
    }

    /** The manifest {@code id}, if it was read before: from this process or from the file. */
    synchronized Snapshot get(String id) throws IOException {
        load();
        Snapshot s = parsed.get(id);
        if (s != null) {
            return s;
        }
        byte[] body = bodies.get(id);
        if (body == null) {
            return null;
        }
        s = SnapshotJson.read(body, json).withId(id);
        parsed.put(id, s);
        return s;
    }

    /**
     * Remembers manifest {@code id}: its plaintext JSON, as written or as read (authenticated and
     * checked against its name), and what it parses to (null: parsed when asked for).
     */
    void put(String id, byte[] body, Snapshot snapshot) {
        bodies.put(id, body);
        if (snapshot != null) {
            parsed.put(id, snapshot);
        } else {
            parsed.remove(id);
        }
    }

    /**
     * Drops what is not in {@code listed} (forgotten snapshots) and writes the file when it differs
     * from what the repository listed. A failure to write is not an error: the next run reads the
     * manifests again.
     */
    synchronized void retain(Collection<String> listed) {
        Set<String> keep = new HashSet<>(listed);
        boolean dropped = bodies.keySet().retainAll(keep);
        parsed.keySet().retainAll(keep);
        boolean complete = bodies.keySet().containsAll(keep);
        if (file == null || !complete || (!dropped && onDisk.equals(keep))) {
            return;
        }
        try {
            Map<String, String> out = new TreeMap<>();
            bodies.forEach((id, body) -> out.put(id, new String(body, StandardCharsets.UTF_8)));
            AtomicFiles.write(file, Envelope.wrap(sealer, json.writeValueAsBytes(new Stored(FORMAT, out))));
            onDisk = keep;
        } catch (IOException | RuntimeException e) {
            // only a cache: the manifests are read from the repository next time
        }
    }

    private void load() {
        if (loaded || file == null) {
            return;
        }
        loaded = true;
        try {
            if (!Files.isRegularFile(file)) {
                return;
            }
            Stored s = json.readValue(Envelope.unwrap(sealer, Files.readAllBytes(file)), Stored.class);
            if (s.format() != FORMAT || s.snapshots() == null) {
                return;
            }
            s.snapshots().forEach((id, body) -> bodies.putIfAbsent(id, body.getBytes(StandardCharsets.UTF_8)));
            onDisk = new HashSet<>(s.snapshots().keySet());
        } catch (AEADBadTagException | IOException | RuntimeException damaged) {
            // edited, damaged or from another repository: rebuilt from the repository
        }
    }
}
