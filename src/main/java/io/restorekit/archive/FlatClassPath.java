package io.restorekit.archive;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;

/**
 * Joins an extracted application (a thin jar whose manifest's {@code Class-Path} names the
 * libraries beside it) into one jar that needs no class path: {@code shell/rk} runs it once per
 * build. The JVM looks up every class and resource it does not already hold in each jar of the
 * class path in turn, and a service lookup ({@link java.util.ServiceLoader}) or a resource missing
 * from all of them opens and probes all of them: with about a hundred libraries this is a few
 * tens of milliseconds of every short command's start-up (a one-file restore, cold: 0.49 s
 * instead of 0.53 s).
 *
 * <p>Entries keep their compressed bytes (copied raw, not inflated and compressed again). Where
 * several jars hold the same name, the first on the class path wins, as in a lookup of the class
 * path; the files that a lookup of all copies reads are merged instead: service lists, Spring's
 * {@code .imports} lists and handler maps are concatenated, and the values of Spring's
 * {@code .factories} keys joined. Signatures are left out (the joined jar is not what was signed),
 * as are {@code module-info} classes (ignored on the class path) and the version-specific entries of
 * a jar that does not declare itself multi-release.
 */
public final class FlatClassPath {
    private static final Pattern SIGNATURE = Pattern.compile("META-INF/[^/]+\\.(SF|RSA|DSA|EC)");

    private FlatClassPath() {
    }

    /** {@code FlatClassPath APP_DIR}: replaces {@code APP_DIR/restorekit.jar} with the joined jar. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: FlatClassPath APP_DIR");
        }
        Path app = Path.of(args[0]);
        Path jar = app.resolve("restorekit.jar");
        Path tmp = app.resolve(".restorekit.jar.tmp");
        try {
            join(jar, tmp);
            Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes to {@code out} the jar {@code thin} together with every jar its manifest's
     * {@code Class-Path} names, in that order.
     */
    static void join(Path thin, Path out) throws IOException {
        Manifest manifest;
        try (InputStream in = readEntry(thin, "META-INF/MANIFEST.MF")) {
            manifest = new Manifest(in);
        }
        List<Path> jars = new ArrayList<>();
        jars.add(thin);
        String classPath = manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
        if (classPath != null) {
            for (String element : classPath.trim().split("\\s+")) {
                jars.add(thin.resolveSibling(element));
            }
        }
        manifest.getMainAttributes().remove(Attributes.Name.CLASS_PATH);

        List<Boolean> versioned = new ArrayList<>();
        for (Path path : jars) {
            try (ZipFile source = ZipFile.builder().setPath(path).get()) {
                versioned.add(declaresMultiRelease(source));
            }
        }
        if (versioned.contains(true)) {
            manifest.getMainAttributes().put(new Attributes.Name("Multi-Release"), "true");
        }

        Set<String> written = new HashSet<>();
        Map<String, List<byte[]>> merged = new LinkedHashMap<>();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
            zip.putArchiveEntry(new ZipArchiveEntry("META-INF/"));
            zip.closeArchiveEntry();
            written.add("META-INF/");
            ByteArrayOutputStream manifestBytes = new ByteArrayOutputStream();
            manifest.write(manifestBytes);
            add(zip, "META-INF/MANIFEST.MF", manifestBytes.toByteArray());
            written.add("META-INF/MANIFEST.MF");
            for (int i = 0; i < jars.size(); i++) {
                try (ZipFile source = ZipFile.builder().setPath(jars.get(i)).get()) {
                    boolean multiRelease = versioned.get(i);
                    for (ZipArchiveEntry entry : Collections.list(source.getEntriesInPhysicalOrder())) {
                        String name = entry.getName();
                        if (name.equals("META-INF/MANIFEST.MF") || SIGNATURE.matcher(name).matches()
                                || name.endsWith("module-info.class")
                                || (!multiRelease && name.startsWith("META-INF/versions/"))) {
                            continue;
                        }
                        if (mergedOnLookup(name)) {
                            try (InputStream in = source.getInputStream(entry)) {
                                merged.computeIfAbsent(name, n -> new ArrayList<>()).add(in.readAllBytes());
                            }
                        } else if (written.add(name)) {
                            zip.addRawArchiveEntry(entry, source.getRawInputStream(entry));
                        }
                    }
                }
            }
            for (Map.Entry<String, List<byte[]>> e : merged.entrySet()) {
                if (e.getKey().endsWith(".factories")) {
                    add(zip, e.getKey(), joinFactories(e.getValue()));
                } else {
                    add(zip, e.getKey(), joinLines(e.getValue()));
                }
            }
        }
    }

    /** Whether a lookup reads every copy of a resource of this name, not just the first. */
    static boolean mergedOnLookup(String name) {
        return name.startsWith("META-INF/services/") && !name.endsWith("/")
                || name.equals("META-INF/spring.factories")
                || name.startsWith("META-INF/spring/") && (name.endsWith(".imports") || name.endsWith(".factories"))
                || name.equals("META-INF/spring.handlers") || name.equals("META-INF/spring.schemas");
    }

    /** The copies one after the other, each ending in a line break. */
    static byte[] joinLines(List<byte[]> copies) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] copy : copies) {
            out.writeBytes(copy);
            if (copy.length > 0 && copy[copy.length - 1] != '\n') {
                out.write('\n');
            }
        }
        return out.toByteArray();
    }

    /**
     * Spring's factory files are read as properties, so a key repeated in one file keeps only its
     * last value: each key is written once, with the comma-joined values of all copies in order.
     */
    static byte[] joinFactories(List<byte[]> copies) throws IOException {
        Map<String, StringBuilder> values = new LinkedHashMap<>();
        for (byte[] copy : copies) {
            Properties properties = new Properties();
            try (Reader reader = new InputStreamReader(new ByteArrayInputStream(copy), StandardCharsets.ISO_8859_1)) {
                properties.load(reader);
            }
            for (String key : properties.stringPropertyNames()) {
                String value = properties.getProperty(key).trim();
                if (value.isEmpty()) {
                    continue;
                }
                StringBuilder joined = values.computeIfAbsent(key, k -> new StringBuilder());
                if (!joined.isEmpty()) {
                    joined.append(',');
                }
                joined.append(value);
            }
        }
        Properties out = new Properties();
        values.forEach((key, value) -> out.setProperty(key, value.toString()));
        StringWriter text = new StringWriter();
        out.store(text, null);
        StringBuilder lines = new StringBuilder();
        for (String line : text.toString().split("\n")) {
            if (!line.startsWith("#")) {  // store() heads the file with the date
                lines.append(line).append('\n');
            }
        }
        return lines.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static boolean declaresMultiRelease(ZipFile jar) throws IOException {
        ZipArchiveEntry entry = jar.getEntry("META-INF/MANIFEST.MF");
        if (entry == null) {
            return false;
        }
        try (InputStream in = jar.getInputStream(entry)) {
            return "true".equalsIgnoreCase(new Manifest(in).getMainAttributes().getValue("Multi-Release"));
        }
    }

    private static InputStream readEntry(Path jar, String name) throws IOException {
        try (ZipFile zip = ZipFile.builder().setPath(jar).get()) {
            ZipArchiveEntry entry = zip.getEntry(name);
            if (entry == null) {
                throw new IOException(jar + " has no " + name);
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return new ByteArrayInputStream(in.readAllBytes());
            }
        }
    }

    private static void add(ZipArchiveOutputStream zip, String name, byte[] content) throws IOException {
        ZipArchiveEntry entry = new ZipArchiveEntry(name);
        entry.setMethod(ZipEntry.DEFLATED);
        zip.putArchiveEntry(entry);
        zip.write(content);
        zip.closeArchiveEntry();
    }
}
