package io.restorekit.backup;

import io.restorekit.common.BadInputException;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.Hex;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.LockRequest;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryLock;
import io.restorekit.repository.Snapshot;
import io.restorekit.source.SourceSpec;
import io.restorekit.source.files.FilesBackup;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.source.mysql.MySqlBackup;
import io.restorekit.source.mysql.MySqlSourceSpec;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.PostgresBackup;
import io.restorekit.source.postgres.PostgresSourceSpec;
import io.restorekit.storage.StorageUnavailableException;

import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Backs up sources into the repository: one snapshot per source, all tagged with one run id. */
public final class BackupService {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Repository repository;
    private final Clock clock;
    private final int threads;
    private final Map<String, MySqlBackup.Opening> openings = new HashMap<>();

    public BackupService(Repository repository, Clock clock, int threads) {
        this.repository = repository;
        this.clock = clock;
        this.threads = threads;
    }

    public BackupService(Repository repository) {
        this(repository, Clock.systemUTC(), FilesBackup.defaultReaders());
    }

    /**
     * Has the backup of MySQL source {@code source} use the connections {@code opening} started for
     * it, which are closed by the end of {@link #backup} whether or not the source was backed up.
     */
    public BackupService openedAhead(String source, MySqlBackup.Opening opening) {
        openings.put(source, opening);
        return this;
    }

    /**
     * Backs up every source of the request in turn. A source that fails (unreachable, locked) is
     * reported in the result and the run goes on with the next one.
     */
    public BackupResult backup(BackupRequest request, ProgressListener progress) {
        if (request.sources().isEmpty()) {
            throw new BadInputException("no source to back up; configure one under 'sources:' or name one with --source");
        }
        String run = newRunId();
        String host = request.host() != null ? request.host() : localHost();
        String user = request.user() != null ? request.user() : System.getProperty("user.name", "unknown");
        List<BackupResult.SourceResult> results = new ArrayList<>();
        try {
            for (SourceSpec spec : request.sources()) {
                try {
                    if (spec instanceof FilesSourceSpec files) {
                        results.add(backupFiles(files, request, run, host, user, progress));
                    } else if (spec instanceof PostgresSourceSpec postgres) {
                        results.add(backupPostgres(postgres, request, run, host, user, progress));
                    } else if (spec instanceof MySqlSourceSpec mysql) {
                        results.add(backupMysql(mysql, request, run, host, user, progress));
                    } else {
                        throw new BadInputException("source '" + spec.name() + "' is of type '" + spec.type()
                                + "', which this backup does not handle yet");
                    }
                } catch (RkException e) {
                    results.add(failed(spec, e.code(), e.getMessage(), progress));
                } catch (IOException e) {
                    results.add(failed(spec, unreachable(e) ? ErrorCode.UNREACHABLE : ErrorCode.FAILED,
                            "backup of source '" + spec.name() + "' failed: " + e.getMessage(), progress));
                }
            }
        } finally {
            // connections opened ahead for a source that failed before its dump
            openings.values().forEach(MySqlBackup.Opening::close);
            openings.clear();
        }
        return new BackupResult(run, results);
    }

    private BackupResult.SourceResult backupFiles(FilesSourceSpec spec, BackupRequest request, String run,
                                                  String host, String user, ProgressListener progress)
            throws IOException {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        try (RepositoryLock lock = repository.lock(LockRequest.backup(List.of(spec.name())))) {
            String root = spec.path().toAbsolutePath().normalize().toString();
            Optional<Snapshot> parent = latest(spec.name(), root);
            FilesBackup.Result r = new FilesBackup(repository, threads).backup(spec.path(), spec.exclude(),
                    parent.map(Snapshot::tree).orElse(null), progress);
            // Every blob the manifest refers to must be stored before the manifest (format §2).
            repository.flush();
            long durationMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
            Snapshot.Summary summary = new Snapshot.Summary(r.files(), r.dirs(), r.bytes(), r.addedBytes(),
                    r.storedBytes(), r.reusedFiles(), durationMs);
            Instant time = request.time() != null ? request.time() : started;
            Snapshot saved = repository.saveSnapshot(new Snapshot(null, 1, spec.name(), "files", time, host, user,
                    run, request.tags(), parent.map(Snapshot::id).orElse(null), root, r.tree(), summary,
                    r.warnings()));
            return new BackupResult.SourceResult(spec.name(), saved.id(), parent.map(Snapshot::id).orElse(null),
                    time, summary, r.warnings(), null, null);
        }
    }

    private BackupResult.SourceResult backupPostgres(PostgresSourceSpec spec, BackupRequest request, String run,
                                                     String host, String user, ProgressListener progress)
            throws IOException {
        return backupDatabase(spec.name(), spec.url(), "postgres", request, run, host, user, parent -> {
            PostgresBackup.Result r = new PostgresBackup(repository).backup(spec, progress);
            return new Dump(r.manifest(), r.content(), r.tables(), r.bytes(), r.addedBytes(), r.storedBytes(),
                    r.warnings(), null);
        });
    }

    private BackupResult.SourceResult backupMysql(MySqlSourceSpec spec, BackupRequest request, String run,
                                                  String host, String user, ProgressListener progress)
            throws IOException {
        return backupDatabase(spec.name(), spec.url(), DatabaseManifest.MYSQL_KIND, request, run, host, user, parent -> {
            MySqlBackup.Result r = new MySqlBackup(repository).backup(spec, openings.remove(spec.name()),
                    parent.orElse(null), progress);
            return new Dump(r.manifest(), r.content(), r.tables(), r.bytes(), r.addedBytes(), r.storedBytes(),
                    r.warnings(), r.note());
        });
    }

    /**
     * What a database dump produced, whichever the engine.
     *
     * @param note why every table was read although there was a previous snapshot; null otherwise
     */
    private record Dump(BlobId manifest, DatabaseManifest content, long tables, long bytes, long addedBytes,
                        long storedBytes, List<String> warnings, String note) {
        /** The tables taken unchanged from the previous snapshot rather than read (MariaDB's binary log). */
        Set<String> unchanged() {
            return content.binlog() == null ? Set.of() : Set.copyOf(content.binlog().unchanged());
        }
    }

    private interface Dumper {
        /** @param parent the source's latest snapshot */
        Dump dump(Optional<Snapshot> parent) throws IOException;
    }

    /** Dumps one database source under its backup lock and saves its snapshot of {@code kind}. */
    private BackupResult.SourceResult backupDatabase(String name, String url, String kind, BackupRequest request,
                                                     String run, String host, String user, Dumper dumper)
            throws IOException {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        try (RepositoryLock lock = repository.lock(LockRequest.backup(List.of(name)))) {
            String root = url.replaceFirst("\\?.*$", "");
            Optional<Snapshot> parent = repository.snapshots().stream()
                    .filter(s -> name.equals(s.source()) && kind.equals(s.kind()))
                    .max(Comparator.comparing(Snapshot::time));
            Dump r = dumper.dump(parent);
            long durationMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
            // A database summary counts tables as "files" (those taken unchanged as the unchanged
            // files) and rows are in the manifest.
            Snapshot.Summary summary = new Snapshot.Summary(r.tables(), 0, r.bytes(), r.addedBytes(),
                    r.storedBytes(), r.unchanged().size(), durationMs);
            List<Snapshot.Warning> warnings = r.warnings().stream().map(BackupService::warning).toList();
            Instant time = request.time() != null ? request.time() : started;
            Snapshot saved = repository.saveSnapshot(new Snapshot(null, 1, name, kind, time, host, user,
                    run, request.tags(), parent.map(Snapshot::id).orElse(null), root, r.manifest(), summary,
                    warnings));
            Set<String> unchanged = r.unchanged();
            List<BackupResult.TableResult> tables = r.content().tables().stream()
                    .map(t -> new BackupResult.TableResult(t.qualifiedName(), t.rows(), t.bytes(), t.addedBytes(),
                            unchanged.contains(t.name()) ? Boolean.TRUE : null))
                    .toList();
            return new BackupResult.SourceResult(name, saved.id(), parent.map(Snapshot::id).orElse(null),
                    time, summary, warnings, null, null, tables, r.note() == null ? List.of() : List.of(r.note()));
        }
    }

    private static Snapshot.Warning warning(String text) {
        int colon = text.indexOf(": ");
        return colon < 0 ? new Snapshot.Warning(null, text)
                : new Snapshot.Warning(text.substring(0, colon), text.substring(colon + 2));
    }

    /** The newest snapshot of the same source and folder, whose tree serves change detection. */
    private Optional<Snapshot> latest(String source, String root) throws IOException {
        return repository.snapshots().stream()
                .filter(s -> source.equals(s.source()) && "files".equals(s.kind()) && root.equals(s.root())
                        && s.tree() != null)
                .max(Comparator.comparing(Snapshot::time));
    }

    /** Whether the failure is the repository's storage being out of reach, maybe wrapped by the pack writer. */
    private static boolean unreachable(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof StorageUnavailableException) {
                return true;
            }
        }
        return false;
    }

    private static BackupResult.SourceResult failed(SourceSpec spec, ErrorCode code, String message,
                                                    ProgressListener progress) {
        progress.warn(message);
        return new BackupResult.SourceResult(spec.name(), null, null, null, null, List.of(), code, message);
    }

    private static String newRunId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return Hex.encode(b);
    }

    private static String localHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
