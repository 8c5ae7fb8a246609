package io.restorekit.source.files;

import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.storage.memory.InMemoryStorage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Sample trees on disk and a way to compare two trees by content and metadata. */
public final class FilesFixtures {
    private FilesFixtures() {
    }

    private static final String[] NAMES = {"Acme GmbH", "Northwind Traders", "Clinica Santa Maria", "Bauer & Söhne",
        "Contoso Ltd", "Fabrikam Inc", "Adventure Works", "Tailspin Toys"};
    private static final String[] ITEMS = {"Consulting hours", "Annual licence", "Support contract", "Hardware",
        "Travel expenses", "Training day", "Blood panel", "X-ray, two views"};

    /** A business document of a few KiB: the same structure every time, other values. */
    public static byte[] invoice(java.util.Random r) {
        StringBuilder sb = new StringBuilder("{\n  \"document\": \"invoice\",\n  \"number\": \"INV-")
                .append(100000 + r.nextInt(900000)).append("\",\n  \"tenant\": ").append(r.nextInt(40))
                .append(",\n  \"customer\": {\"name\": \"").append(NAMES[r.nextInt(NAMES.length)])
                .append("\", \"vat_id\": \"DE").append(100000000 + r.nextInt(800000000))
                .append("\", \"address\": \"").append(r.nextInt(300)).append(" Main Street\"},\n  \"currency\": \"EUR\",\n")
                .append("  \"lines\": [\n");
        int lines = 5 + r.nextInt(60);
        for (int i = 0; i < lines; i++) {
            sb.append("    {\"position\": ").append(i + 1).append(", \"description\": \"")
                    .append(ITEMS[r.nextInt(ITEMS.length)]).append("\", \"quantity\": ").append(1 + r.nextInt(20))
                    .append(", \"unit_price\": ").append(r.nextInt(100000) / 100.0).append(", \"tax_rate\": 0.19}")
                    .append(i + 1 < lines ? ",\n" : "\n");
        }
        return sb.append("  ],\n  \"terms\": \"Payable within 30 days without deduction.\"\n}\n")
                .toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Writes {@code count} small business documents (a few KiB each, {@link #invoice}) into
     * {@code folder}: enough past 700 or so for a repository to train a dictionary on.
     */
    public static void documents(Path folder, int count, long seed) throws IOException {
        Files.createDirectories(folder);
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < count; i++) {
            Files.write(folder.resolve(String.format("invoice-%05d.json", i)), invoice(r));
        }
    }

    public static Repository newRepository() throws IOException {
        return Repository.init(new InMemoryStorage(), "secret".toCharArray(),
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20));
    }

    /** A tree with the awkward cases: unicode, spaces and newlines in names, links, empty folders, odd modes. */
    public static void sampleTree(Path root, long seed) throws IOException {
        Random random = new Random(seed);
        Files.createDirectories(root);
        write(root.resolve("hello.txt"), "hello world\n");
        write(root.resolve("name with spaces.txt"), "spaces");
        write(root.resolve("ünïcødé-日本.txt"), "unicode");
        write(root.resolve("line\nbreak"), "newline in name");
        write(root.resolve("empty.bin"), "");
        byte[] big = new byte[3 * 1024 * 1024 + 12345];
        random.nextBytes(big);
        Files.write(root.resolve("big.bin"), big);
        Path docs = Files.createDirectories(root.resolve("docs/deep/deeper"));
        write(docs.resolve("a.txt"), "deep file");
        write(root.resolve("docs/readme.md"), "# readme\n".repeat(1000));
        Files.createDirectories(root.resolve("empty-dir"));
        Files.createDirectories(root.resolve("empty-dir/inner-empty"));
        Files.createSymbolicLink(root.resolve("latest"), Path.of("docs/readme.md"));
        Files.createSymbolicLink(root.resolve("dangling"), Path.of("/nonexistent/target"));
        Path script = write(root.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        Files.setAttribute(script, "unix:mode", 0750);
        Path secret = write(root.resolve("docs/secret.txt"), "secret");
        Files.setAttribute(secret, "unix:mode", 0600);
        Files.setAttribute(root.resolve("docs/deep"), "unix:mode", 0700);
        // Distinct, sub-second times so that nanosecond restore is visible.
        long t = 1_700_000_000_123_456_789L;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                if (!p.equals(root) && !Files.isSymbolicLink(p)) {
                    Files.setLastModifiedTime(p, FileTime.from(t, TimeUnit.NANOSECONDS));
                    t += 1_111_111_111L;
                }
            }
        }
    }

    public static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** Every entry under {@code root} with what must survive a round trip. */
    public static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                if (p.equals(root)) {
                    continue;
                }
                String rel = root.relativize(p).toString();
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,lastModifiedTime,uid,gid",
                        LinkOption.NOFOLLOW_LINKS);
                String d;
                if (Files.isSymbolicLink(p)) {
                    d = "link -> " + Files.readSymbolicLink(p);
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    d = "dir mode=" + Integer.toOctalString((Integer) a.get("mode") & 07777)
                            + " mtime=" + ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS);
                } else {
                    d = "file mode=" + Integer.toOctalString((Integer) a.get("mode") & 07777)
                            + " mtime=" + ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS)
                            + " sha=" + sha(p);
                }
                out.put(rel, d + " uid=" + a.get("uid") + " gid=" + a.get("gid"));
            }
        }
        return out;
    }

    public static String sha(Path p) throws IOException {
        return shaOf(Files.readAllBytes(p));
    }

    public static String shaOf(byte[] bytes) {
        try {
            return io.restorekit.common.Hex.encode(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void assertSameTree(Path expected, Path actual) throws IOException {
        assertThat(describe(actual)).isEqualTo(describe(expected));
    }
}
