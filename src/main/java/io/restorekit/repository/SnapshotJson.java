package io.restorekit.repository;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a snapshot manifest's JSON with Jackson's streaming parser. Listing snapshots parses every
 * manifest, and a repository backed up every ten minutes keeps hundreds of them; the object mapper
 * took about half a millisecond for each in a command's first second (176 manifests: 90 ms), a
 * tenth of that here. Only the form the mapper writes is read this way (kebab-case names, ISO
 * times, hex blob ids); anything else, such as a field a newer version added, is left to the
 * mapper, which then reads or refuses the manifest as it always has.
 */
final class SnapshotJson {
    private SnapshotJson() {
    }

    /** The manifest in {@code body} (without its id). */
    static Snapshot read(byte[] body, ObjectMapper json) throws IOException {
        try {
            Snapshot s = readPlain(body, json.getFactory());
            if (s != null) {
                return s;
            }
        } catch (IOException | RuntimeException notPlain) {
            // the mapper reads it, or says what is wrong with it
        }
        return json.readValue(body, Snapshot.class);
    }

    /** The manifest when it has the form the mapper writes; null otherwise. */
    static Snapshot readPlain(byte[] body, JsonFactory factory) throws IOException {
        try (JsonParser p = factory.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            int version = 0;
            String source = null;
            String kind = null;
            Instant time = null;
            String host = null;
            String user = null;
            String run = null;
            List<String> tags = null;
            String parent = null;
            String root = null;
            BlobId tree = null;
            Snapshot.Summary summary = null;
            List<Snapshot.Warning> warnings = null;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "version" -> {
                        if (v != JsonToken.VALUE_NUMBER_INT) {
                            return null;
                        }
                        version = p.getIntValue();
                    }
                    case "source" -> source = text(p, v);
                    case "kind" -> kind = text(p, v);
                    case "time" -> {
                        String s = text(p, v);
                        time = s == null ? null : Instant.parse(s);
                    }
                    case "host" -> host = text(p, v);
                    case "user" -> user = text(p, v);
                    case "run" -> run = text(p, v);
                    case "tags" -> tags = v == JsonToken.VALUE_NULL ? null : strings(p, v);
                    case "parent" -> parent = text(p, v);
                    case "root" -> root = text(p, v);
                    case "tree" -> {
                        String s = text(p, v);
                        tree = s == null ? null : BlobId.parse(s);
                    }
                    case "summary" -> summary = v == JsonToken.VALUE_NULL ? null : summary(p, v);
                    case "warnings" -> warnings = v == JsonToken.VALUE_NULL ? null : warnings(p, v);
                    default -> {
                        return null;
                    }
                }
            }
            if (t != JsonToken.END_OBJECT) {
                return null;
            }
            return new Snapshot(null, version, source, kind, time, host, user, run, tags, parent, root, tree,
                    summary, warnings);
        } catch (NotPlain other) {
            return null;
        }
    }

    /** A string value or null; anything else is not the plain form. */
    private static String text(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        throw new NotPlain();
    }

    private static List<String> strings(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            throw new NotPlain();
        }
        List<String> out = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
            out.add(p.getText());
        }
        if (t != JsonToken.END_ARRAY) {
            throw new NotPlain();
        }
        return out;
    }

    private static Snapshot.Summary summary(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.START_OBJECT) {
            throw new NotPlain();
        }
        long files = 0;
        long dirs = 0;
        long bytes = 0;
        long added = 0;
        long stored = 0;
        long reused = 0;
        long duration = 0;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                throw new NotPlain();
            }
            long value = p.getLongValue();
            switch (name) {
                case "files" -> files = value;
                case "dirs" -> dirs = value;
                case "bytes" -> bytes = value;
                case "added-bytes" -> added = value;
                case "stored-bytes" -> stored = value;
                case "reused-files" -> reused = value;
                case "duration-ms" -> duration = value;
                default -> throw new NotPlain();
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new NotPlain();
        }
        return new Snapshot.Summary(files, dirs, bytes, added, stored, reused, duration);
    }

    private static List<Snapshot.Warning> warnings(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            throw new NotPlain();
        }
        List<Snapshot.Warning> out = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
            String path = null;
            String message = null;
            JsonToken f;
            while ((f = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                String value = text(p, p.nextToken());
                switch (name) {
                    case "path" -> path = value;
                    case "message" -> message = value;
                    default -> throw new NotPlain();
                }
            }
            if (f != JsonToken.END_OBJECT) {
                throw new NotPlain();
            }
            out.add(new Snapshot.Warning(path, message));
        }
        if (t != JsonToken.END_ARRAY) {
            throw new NotPlain();
        }
        return out;
    }

    /** Met something the plain form does not have: the mapper reads the manifest instead. */
    private static final class NotPlain extends RuntimeException {
        NotPlain() {
            super(null, null, false, false);
        }
    }
}
