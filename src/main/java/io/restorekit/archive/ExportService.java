package io.restorekit.archive;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.github.luben.zstd.ZstdOutputStream;
import io.restorekit.common.BadInputException;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.Hex;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;
import io.restorekit.repository.Snapshot;
import io.restorekit.source.mysql.MySqlScript;
import io.restorekit.source.postgres.DatabaseManifest;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the offline export of DESIGN.md §6: per snapshot one encrypted archive in standard formats
 * (tar, or a SQL script for psql or the mariadb/mysql client; zstd; OpenPGP), with {@code manifest.json},
 * {@code checksum.sha256} and {@code RESTORE_INSTRUCTIONS.md}, so the data comes back years later with
 * gpg, zstd, tar and psql or mariadb alone. Every file is written under a temporary name, synced, then
 * renamed, and the folder itself is synced last: a drive unplugged right after the command ends holds
 * a complete export.
 */
public final class ExportService {
    static final String FORMAT = "restorekit-export/1";
    static final String FILES_KIND = "files";
    private static final int ZSTD_LEVEL = 3;
    private static final ObjectMapper JSON = Repository.objectMapper().copy()
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final Repository repository;

    public ExportService(Repository repository) {
        this.repository = repository;
    }

    public ExportResult export(ExportRequest request, ProgressListener progress) throws IOException {
        long t0 = System.nanoTime();
        List<Snapshot> chosen = choose(request);
        Path folder = newFolder(request);
        requireSpace(folder, chosen);
        List<ExportResult.ExportedFile> written = new ArrayList<>();
        for (Snapshot s : chosen) {
            written.add(write(folder, s, request.passphrase(), progress));
        }
        writeText(folder.resolve("checksum.sha256"), checksums(written));
        writeText(folder.resolve("manifest.json"), manifest(request, written));
        writeText(folder.resolve("RESTORE_INSTRUCTIONS.md"), RestoreInstructions.render(folder.getFileName().toString(),
                written));
        syncDirectory(folder);
        syncDirectory(folder.getParent());
        return new ExportResult(folder, written, (System.nanoTime() - t0) / 1_000_000);
    }

    private List<Snapshot> choose(ExportRequest request) throws IOException {
        if (request.snapshot() != null) {
            Snapshot s = repository.loadSnapshot(request.snapshot());
            if (!request.sources().isEmpty() && !request.sources().contains(s.source())) {
                throw new BadInputException("snapshot " + s.shortId() + " belongs to source '" + s.source()
                        + "', not to " + String.join(", ", request.sources()));
            }
            return List.of(s);
        }
        List<Snapshot> all = repository.snapshots();
        Map<String, Snapshot> newest = new LinkedHashMap<>();
        all.stream().sorted(Comparator.comparing(Snapshot::time))
                .forEach(s -> newest.put(s.source(), s));
        if (request.sources().isEmpty()) {
            if (newest.isEmpty()) {
                throw new BadInputException("the repository holds no snapshot to export; run 'rk backup' first");
            }
            return List.copyOf(newest.values());
        }
        List<Snapshot> out = new ArrayList<>();
        for (String source : request.sources()) {
            Snapshot s = newest.get(source);
            if (s == null) {
                throw new BadInputException("source '" + source + "' has no snapshot to export"
                        + (newest.isEmpty() ? "" : "; sources with snapshots: " + String.join(", ", newest.keySet())));
            }
            out.add(s);
        }
        return out;
    }

    private static Path newFolder(ExportRequest request) throws IOException {
        Path to = request.to().toAbsolutePath().normalize();
        if (!Files.isDirectory(to)) {
            throw new BadInputException("export target '" + to + "' is not a folder; mount the drive, or create the folder first");
        }
        String base = "restorekit-export-" + LocalDate.ofInstant(request.now(), request.zone())
                .format(DateTimeFormatter.ofPattern("yyyy-MM"));
        for (int n = 1; ; n++) {
            Path candidate = to.resolve(n == 1 ? base : base + "-" + n);
            try {
                return Files.createDirectory(candidate);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // An earlier export of the same month stays as it is; this one takes the next name.
            } catch (java.nio.file.AccessDeniedException e) {
                throw new RkException(ErrorCode.FAILED, "cannot create '" + candidate + "': permission denied");
            }
        }
    }

    /** Refuses to start when the data alone (before compression) cannot fit and nothing compresses it much. */
    private void requireSpace(Path folder, List<Snapshot> snapshots) throws IOException {
        long plain = snapshots.stream().mapToLong(s -> s.summary() == null ? 0 : s.summary().bytes()).sum();
        FileStore store = Files.getFileStore(folder);
        long free = store.getUsableSpace();
        // Compression usually more than halves documents and SQL; refuse only what cannot possibly fit.
        if (plain / 4 > free) {
            Files.deleteIfExists(folder);
            throw new RkException(ErrorCode.FAILED, "export needs up to " + plain + " bytes but '" + folder.getParent()
                    + "' has only " + free + " bytes free; use a larger drive or export fewer sources (--source)");
        }
    }

    private ExportResult.ExportedFile write(Path folder, Snapshot s, char[] passphrase, ProgressListener progress)
            throws IOException {
        boolean database = DatabaseManifest.isDatabase(s.kind());
        if (!database && !FILES_KIND.equals(s.kind())) {
            throw new RkException(ErrorCode.FAILED, "snapshot " + s.shortId() + " of source '" + s.source()
                    + "' is of kind '" + s.kind() + "', which export does not handle");
        }
        String name = s.source() + "-" + s.shortId() + (database ? ".sql.zst.enc" : ".tar.zst.enc");
        Path target = folder.resolve(name);
        Path part = folder.resolve(name + ".part");
        MessageDigest sha256 = sha256();
        long plainBytes;
        long items;
        try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream file = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 16);
            try (Counting encrypted = new Counting(new DigestOutputStream(file, sha256))) {
                try (OutputStream pgp = OpenPgp.encrypt(encrypted, passphrase, name.substring(0, name.length() - 4));
                     ZstdOutputStream zstd = new ZstdOutputStream(pgp, ZSTD_LEVEL);
                     Counting plain = new Counting(zstd)) {
                    zstd.setWorkers(Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
                    items = switch (s.kind()) {
                        case FILES_KIND -> new TarWriter(repository).write(s, plain, progress);
                        case DatabaseManifest.MYSQL_KIND -> new MySqlScript(repository).write(s,
                                DatabaseManifest.load(repository, s.tree()), plain, progress);
                        default -> new SqlScriptWriter(repository).write(s, plain, progress);
                    };
                    plain.flush();
                    plainBytes = plain.count;
                }
                encrypted.flush();
                channel.force(true);
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
                return new ExportResult.ExportedFile(name, s.source(), s.id(), s.time().toString(),
                        database ? s.kind() : FILES_KIND, plainBytes, encrypted.count,
                        Hex.encode(sha256.digest()), items);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part);
            if (e instanceof IOException io && io.getMessage() != null && io.getMessage().contains("No space left")) {
                throw new RkException(ErrorCode.FAILED, "the export drive is full while writing '" + name
                        + "'; the unfinished file was removed. Use a larger drive or export fewer sources", e);
            }
            throw e;
        }
    }

    private static String checksums(List<ExportResult.ExportedFile> files) {
        StringBuilder out = new StringBuilder();
        for (ExportResult.ExportedFile f : files) {
            out.append(f.sha256()).append("  ").append(f.name()).append('\n');
        }
        return out.toString();
    }

    private String manifest(ExportRequest request, List<ExportResult.ExportedFile> files) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("created", request.now().toString());
        m.put("repository", repository.id());
        m.put("encryption", Map.of(
                "standard", "OpenPGP (RFC 4880) symmetric encryption, as made and read by 'gpg --symmetric' / 'gpg --decrypt'",
                "cipher", "AES-256 with integrity protection (MDC)",
                "key-derivation", "iterated and salted S2K, SHA-256, 65011712 bytes",
                "passphrase", "the passphrase given to 'rk export' (by default the repository password)",
                "layers", "tar or SQL text, then zstd, then OpenPGP"));
        m.put("files", files);
        return JSON.writeValueAsString(m) + "\n";
    }

    private static void writeText(Path file, String text) throws IOException {
        Path part = file.resolveSibling(file.getFileName() + ".part");
        try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        }
        Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems (FAT on external drives) cannot open folders; their writes were synced one by one.
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Counts what passes; closing closes the stream below. */
    static final class Counting extends java.io.FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
