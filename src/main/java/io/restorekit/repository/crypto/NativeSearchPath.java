package io.restorekit.repository.crypto;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The folders JNA searches for system libraries (libcrypto, libargon2), given to it before its
 * first use. Left to itself, JNA runs {@code /sbin/ldconfig -p} in a child process to learn them
 * on Linux: a process start and the parsing of every cached library, paid by every rk command
 * that opens a repository. The same folders are read here from {@code /etc/ld.so.conf} and its
 * includes, plus the standard and multi-arch ones. A value set by the user
 * ({@code -Djna.platform.library.path=...}) is kept.
 */
final class NativeSearchPath {
    static final String PROPERTY = "jna.platform.library.path";
    private static volatile boolean done;

    private NativeSearchPath() {
    }

    /** Sets {@value #PROPERTY} once, on Linux, when it is not set. */
    static void prepare() {
        if (done) {
            return;
        }
        synchronized (NativeSearchPath.class) {
            if (!done && System.getProperty(PROPERTY) == null
                    && System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
                System.setProperty(PROPERTY, String.join(java.io.File.pathSeparator,
                        folders(Path.of("/"), System.getProperty("os.arch", ""))));
            }
            done = true;
        }
    }

    /** The existing library folders under {@code root} for {@code arch}, in JNA's order of preference. */
    static Set<String> folders(Path root, String arch) {
        Set<String> candidates = new LinkedHashSet<>();
        String triplet = switch (arch) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64", "arm64" -> "aarch64-linux-gnu";
            case "ppc64le" -> "powerpc64le-linux-gnu";
            case "s390x" -> "s390x-linux-gnu";
            case "riscv64" -> "riscv64-linux-gnu";
            default -> null;
        };
        if (triplet != null) {
            candidates.add("/usr/lib/" + triplet);
            candidates.add("/lib/" + triplet);
        }
        candidates.add("/usr/lib64");
        candidates.add("/lib64");
        candidates.add("/usr/lib");
        candidates.add("/lib");
        readConf(root, root.resolve("etc/ld.so.conf"), candidates, 0);
        Set<String> existing = new LinkedHashSet<>();
        for (String c : candidates) {
            if (Files.isDirectory(root.resolve(c.substring(1)))) {
                existing.add(c);
            }
        }
        return existing;
    }

    /** Folders named in an ld.so.conf file, following its {@code include} lines (globs in one folder). */
    private static void readConf(Path root, Path file, Set<String> out, int depth) {
        if (depth > 4 || !Files.isRegularFile(file)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                String l = line.strip();
                int hash = l.indexOf('#');
                if (hash >= 0) {
                    l = l.substring(0, hash).strip();
                }
                if (l.startsWith("include ")) {
                    String pattern = l.substring("include ".length()).strip();
                    Path abs = pattern.startsWith("/") ? root.resolve(pattern.substring(1)) : file.resolveSibling(pattern);
                    Path dir = abs.getParent();
                    if (dir == null || !Files.isDirectory(dir)) {
                        continue;
                    }
                    try (DirectoryStream<Path> matches = Files.newDirectoryStream(dir, abs.getFileName().toString())) {
                        java.util.List<Path> sorted = new java.util.ArrayList<>();
                        matches.forEach(sorted::add);
                        sorted.sort(null);
                        for (Path m : sorted) {
                            readConf(root, m, out, depth + 1);
                        }
                    }
                } else if (l.startsWith("/")) {
                    out.add(l);
                }
            }
        } catch (IOException | RuntimeException e) {
            // an unreadable file adds nothing; the standard folders remain
        }
    }
}
