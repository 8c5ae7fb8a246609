package io.restorekit.archive;

import com.github.luben.zstd.ZstdInputStream;
import io.restorekit.catalog.Actor;
import io.restorekit.common.BadInputException;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.LockRequest;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryLock;
import io.restorekit.repository.Snapshot;
import io.restorekit.source.SourceSpec;
import io.restorekit.source.files.FilesBackup;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.EmbeddedServer;
import io.restorekit.source.postgres.PostgresBackup;
import io.restorekit.source.postgres.PostgresSourceSpec;
import io.restorekit.source.postgres.SqlScriptLoader;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Brings existing backups into the repository as snapshots, so a team keeps its old cron-made archives
 * under the same retention, verify and restore: tar archives (plain, gzip, zstd; pax and GNU long
 * names, symbolic and hard links) for files sources, and pg_dump files (plain SQL, or custom format
 * through an installed {@code pg_restore}) for postgres sources, loaded into a throwaway embedded
 * PostgreSQL and backed up from there.
 *
 * <p>Archives are unpacked into a scratch folder first, never outside it: entries whose names or
 * links would lead out are refused, and the import stops with nothing saved.
 */
public final class ImportService {
    private static final Pattern DATE_IN_NAME = Pattern.compile(
            "(?<!\\d)(\\d{4})-?(\\d{2})-?(\\d{2})(?:[T_ .-]?(\\d{2})[:.-]?(\\d{2})(?:[:.-]?(\\d{2}))?)?(?!\\d)");

    private final Repository repository;

    public ImportService(Repository repository) {
        this.repository = repository;
    }

    public ImportResult importFile(ImportRequest request, ProgressListener progress) throws IOException {
        Path file = request.file();
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("cannot import '" + file + "': no such file");
        }
        Instant time = request.time();
        String timeFrom = "given";
        if (time == null) {
            Optional<Instant> fromName = timeInName(file.getFileName().toString(), request.zone());
            time = fromName.orElse(Files.getLastModifiedTime(file).toInstant());
            timeFrom = fromName.isPresent() ? "file name" : "file time";
        }
        Files.createDirectories(request.scratch());
        Path scratch = Files.createTempDirectory(request.scratch(), "import-");
        try {
            if (request.source() instanceof FilesSourceSpec files) {
                return importTar(files, request, scratch, time, timeFrom, progress);
            }
            if (request.source() instanceof PostgresSourceSpec postgres) {
                return importDump(postgres, request, scratch, time, timeFrom, progress);
            }
            throw new BadInputException("source '" + request.source().name() + "' is of type '"
                    + request.source().type() + "', which import does not handle");
        } finally {
            deleteTree(scratch);
        }
    }

    static Optional<Instant> timeInName(String name, ZoneId zone) {
        Matcher m = DATE_IN_NAME.matcher(name);
        while (m.find()) {
            try {
                LocalDate date = LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                        Integer.parseInt(m.group(3)));
                if (date.getYear() < 1990 || date.getYear() > 2200) {
                    continue;
                }
                LocalDateTime at = m.group(4) == null ? date.atStartOfDay()
                        : date.atTime(Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
                        m.group(6) == null ? 0 : Integer.parseInt(m.group(6)));
                return Optional.of(at.atZone(zone).toInstant());
            } catch (java.time.DateTimeException e) {
                // digits that only look like a date; try the next match
            }
        }
        return Optional.empty();
    }

    private ImportResult importTar(FilesSourceSpec spec, ImportRequest request, Path scratch, Instant time,
                                   String timeFrom, ProgressListener progress) throws IOException {
        long t0 = System.nanoTime();
        Path root = Files.createDirectory(scratch.resolve("tree"));
        String format;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(request.file()), 1 << 16)) {
            raw.mark(8);
            byte[] magic = raw.readNBytes(4);
            raw.reset();
            InputStream in;
            if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
                in = new GzipCompressorInputStream(raw, true);
                format = "tar.gz";
            } else if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
                    && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
                in = new ZstdInputStream(raw);
                format = "tar.zst";
            } else {
                in = raw;
                format = "tar";
            }
            new TarUnpacker(root, request.file().toString()).unpack(new TarArchiveInputStream(in));
        }
        try (RepositoryLock lock = repository.lock(LockRequest.backup(List.of(spec.name())))) {
            FilesBackup.Result r = new FilesBackup(repository).backup(root, spec.exclude(), null, progress);
            repository.flush();
            long durationMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
            Snapshot.Summary summary = new Snapshot.Summary(r.files(), r.dirs(), r.bytes(), r.addedBytes(),
                    r.storedBytes(), 0, durationMs);
            List<Snapshot.Warning> warnings = new ArrayList<>(r.warnings());
            warnings.add(0, new Snapshot.Warning(null, "imported from " + request.file().toAbsolutePath()));
            Snapshot saved = repository.saveSnapshot(new Snapshot(null, 1, spec.name(), ExportService.FILES_KIND,
                    time, Actor.current().host(), Actor.current().user(), "import", tags(request), null,
                    spec.path().toAbsolutePath().normalize().toString(), r.tree(), summary, warnings));
            return new ImportResult(spec.name(), saved.id(), time, timeFrom, format, r.files(), r.bytes(),
                    r.addedBytes(), durationMs);
        }
    }

    private ImportResult importDump(PostgresSourceSpec spec, ImportRequest request, Path scratch, Instant time,
                                    String timeFrom, ProgressListener progress) throws IOException {
        long t0 = System.nanoTime();
        String format;
        Path sql;
        byte[] magic;
        try (InputStream in = Files.newInputStream(request.file())) {
            magic = in.readNBytes(5);
        }
        if (new String(magic, StandardCharsets.US_ASCII).equals("PGDMP")) {
            format = "pg_dump custom";
            sql = scratch.resolve("dump.sql");
            pgRestoreToSql(request.file(), sql);
        } else {
            format = "pg_dump plain";
            sql = request.file();
        }
        try (EmbeddedServer server = EmbeddedServer.start(scratch.resolve("postgres"), null)) {
            String database = "rk_import";
            server.recreateDatabase(database);
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(Files.newInputStream(sql),
                    StandardCharsets.UTF_8), 1 << 16)) {
                new SqlScriptLoader(server.connect(database)).load(reader, request.file().toString(), progress);
            }
            PostgresSourceSpec loaded = new PostgresSourceSpec(spec.name(), server.url(database), EmbeddedServer.USER,
                    null, null, spec.tenantColumn(), spec.includeTables(), spec.excludeTables(), spec.jobs(), null);
            try (RepositoryLock lock = repository.lock(LockRequest.backup(List.of(spec.name())))) {
                PostgresBackup.Result r = new PostgresBackup(repository).backup(loaded, progress);
                long durationMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
                Snapshot.Summary summary = new Snapshot.Summary(r.tables(), 0, r.bytes(), r.addedBytes(),
                        r.storedBytes(), 0, durationMs);
                List<Snapshot.Warning> warnings = new ArrayList<>();
                warnings.add(new Snapshot.Warning(null, "imported from " + request.file().toAbsolutePath()
                        + " (" + format + ")"));
                r.warnings().forEach(w -> warnings.add(new Snapshot.Warning(null, w)));
                Snapshot saved = repository.saveSnapshot(new Snapshot(null, 1, spec.name(), DatabaseManifest.KIND,
                        time, Actor.current().host(), Actor.current().user(), "import", tags(request), null,
                        spec.url().replaceFirst("\\?.*$", ""), r.manifest(), summary, warnings));
                return new ImportResult(spec.name(), saved.id(), time, timeFrom, format, r.rows(), r.bytes(),
                        r.addedBytes(), durationMs);
            }
        }
    }

    private static void pgRestoreToSql(Path dump, Path sql) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder("pg_restore", "--no-owner", "-f", sql.toString(), dump.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new RkException(ErrorCode.FAILED, "'" + dump + "' is a pg_dump custom-format file, which needs"
                    + " pg_restore to read; install the PostgreSQL client tools (Debian: apt-get install"
                    + " postgresql-client), or convert it elsewhere with 'pg_restore -f dump.sql FILE'");
        }
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(1, TimeUnit.HOURS) || p.exitValue() != 0) {
                throw new RkException(ErrorCode.FAILED, "pg_restore could not read '" + dump + "': " + log
                        + (log.contains("unsupported version") ? " (a newer pg_restore is needed)" : ""));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new RkException(ErrorCode.FAILED, "interrupted while pg_restore read '" + dump + "'");
        }
    }

    private static List<String> tags(ImportRequest request) {
        List<String> tags = new ArrayList<>(request.tags());
        if (!tags.contains("imported")) {
            tags.add("imported");
        }
        return tags;
    }


    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!Files.isSymbolicLink(p)) {
                    p.toFile().setWritable(true);
                }
                Files.deleteIfExists(p);
            }
        }
    }

    /** Unpacks a tar under one folder, refusing any entry that would write or link outside it. */
    private static final class TarUnpacker {
        private final Path root;
        private final String archive;
        private final List<Object[]> folderTimes = new ArrayList<>();

        TarUnpacker(Path root, String archive) {
            this.root = root;
            this.archive = archive;
        }

        void unpack(TarArchiveInputStream tar) throws IOException {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                Path target = inside(e.getName());
                if (target == null) {
                    continue; // the archive's own top folder "./"
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                    folderTimes.add(new Object[]{target, e});
                    continue;
                }
                Files.createDirectories(target.getParent());
                requireNoLinkOnTheWay(target.getParent(), e.getName());
                Files.deleteIfExists(target);
                if (e.isSymbolicLink()) {
                    Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                    owner(target, e);
                } else if (e.isLink()) {
                    Path existing = inside(e.getLinkName());
                    if (existing == null || !Files.isRegularFile(existing, LinkOption.NOFOLLOW_LINKS)) {
                        throw refused(e.getName(), "a hard link to '" + e.getLinkName() + "', which is not an earlier file of the archive");
                    }
                    Files.createLink(target, existing);
                } else if (e.isFile()) {
                    Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                    attributes(target, e);
                }
                // devices, FIFOs and sockets are not data: they are left out, as a files backup leaves them out.
            }
            for (int i = folderTimes.size() - 1; i >= 0; i--) {
                attributes((Path) folderTimes.get(i)[0], (TarArchiveEntry) folderTimes.get(i)[1]);
            }
        }

        private Path inside(String name) {
            String clean = name;
            while (clean.startsWith("./")) {
                clean = clean.substring(2);
            }
            if (clean.isEmpty() || clean.equals(".") || clean.equals("/")) {
                return null;
            }
            if (clean.startsWith("/")) {
                throw refused(name, "an absolute path");
            }
            Path p = root.resolve(clean).normalize();
            if (!p.startsWith(root) || p.equals(root)) {
                throw refused(name, "a path that leads outside the archive's folder");
            }
            return p;
        }

        private void requireNoLinkOnTheWay(Path folder, String name) {
            for (Path p = folder; p != null && !p.equals(root); p = p.getParent()) {
                if (Files.isSymbolicLink(p)) {
                    throw refused(name, "a path through the symbolic link '" + root.relativize(p) + "'");
                }
            }
        }

        private RkException refused(String entry, String why) {
            return new RkException(ErrorCode.BAD_INPUT, "archive '" + archive + "' holds entry '" + entry + "', "
                    + why + "; nothing was imported");
        }

        private static void attributes(Path p, TarArchiveEntry e) throws IOException {
            Files.setPosixFilePermissions(p, permissions(e.getMode()));
            owner(p, e);
            Files.setLastModifiedTime(p, FileTime.from(e.getLastModifiedTime().toInstant()));
        }

        private static void owner(Path p, TarArchiveEntry e) {
            try {
                Files.setAttribute(p, "unix:uid", (int) e.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", (int) e.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | UnsupportedOperationException | SecurityException ignored) {
                // Not root: the files keep the importing user as owner.
            }
        }

        private static Set<PosixFilePermission> permissions(int mode) {
            Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
            PosixFilePermission[] order = {
                    PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                    PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
            for (int bit = 0; bit < order.length; bit++) {
                if ((mode & (1 << bit)) != 0) {
                    out.add(order[bit]);
                }
            }
            return out;
        }
    }
}
