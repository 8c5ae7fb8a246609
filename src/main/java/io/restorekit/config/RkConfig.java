package io.restorekit.config;

import io.restorekit.common.BadInputException;
import io.restorekit.source.SourceSpec;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The whole of restorekit.yml (DESIGN.md §4), validated. Optional sections that are absent hold
 * their defaults, never null, except {@link #alerts()} parts that are simply not configured.
 *
 * @param file    the configuration file it was read from
 * @param home    {@code RK_HOME}: catalog, caches, runbook clone, drill scratch
 * @param sources {@link io.restorekit.source.files.FilesSourceSpec} and {@link DatabaseSourceConfig}, in file order
 * @param modules by name, in file order
 */
public record RkConfig(Path file, Path home, RepositoryConfig repository, List<RepositoryConfig> copies,
                       List<SourceSpec> sources, Map<String, Module> modules, Retention retention, Drill drill,
                       Schedule schedule, Alerts alerts, Catalog catalog, Runbooks runbooks, Roles roles,
                       Metrics metrics) {

    public RkConfig {
        copies = List.copyOf(copies);
        sources = List.copyOf(sources);
        modules = Map.copyOf(modules);
    }

    /** The folder relative repository paths are resolved against. */
    public Path baseDir() {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? Path.of("/") : parent;
    }

    /** The source called {@code name}; {@link BadInputException} naming the configured ones otherwise. */
    public SourceSpec source(String name) {
        return sources.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new BadInputException("unknown source '" + name + "'; configured sources: "
                        + (sources.isEmpty() ? "none" : sources.stream().map(SourceSpec::name)
                        .collect(Collectors.joining(", ")))));
    }

    /** The copy called {@code name}; {@link BadInputException} otherwise. */
    public RepositoryConfig copy(String name) {
        return copies.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new BadInputException("unknown copy '" + name + "'; configured copies: "
                        + (copies.isEmpty() ? "none" : copies.stream().map(RepositoryConfig::name)
                        .collect(Collectors.joining(", ")))));
    }

    /** A named part of the application: tables and path globs. */
    public record Module(String name, List<String> tables, List<String> paths) {
        public Module {
            tables = List.copyOf(tables);
            paths = List.copyOf(paths);
        }
    }

    /**
     * GFS retention (README "Retention"); 0 means "no rule". All zero, and no overrides, keeps every snapshot.
     *
     * @param keepWithin      an age such as {@code 30d} ({@link io.restorekit.retention.Age}), or null
     * @param keepTags        snapshots with these tags are kept
     * @param sources         overrides by source name: the keys they set replace the repository's
     * @param tags            overrides by tag, in file order (the first tag of a snapshot found here applies)
     * @param legalMinimums   minimum age by source name, e.g. {@code 5y}: younger snapshots are never removed
     * @param repackThreshold prune repacks packs with at least this percentage of unused bytes
     * @param pruneGrace      packs marked by prune are deleted by a prune at least this much later
     * @param appendOnly      this host may not delete anything from the repository (forget and prune refuse)
     */
    public record Retention(int keepLast, int daily, int weekly, int monthly, int yearly, int hourly,
                            String keepWithin, List<String> keepTags, Map<String, Rules> sources,
                            Map<String, Rules> tags, Map<String, String> legalMinimums, double repackThreshold,
                            Duration pruneGrace, boolean appendOnly) {
        public static final double DEFAULT_REPACK_THRESHOLD = 50;
        public static final Duration DEFAULT_PRUNE_GRACE = Duration.ofHours(1);
        public static final Retention KEEP_ALL = new Retention(0, 0, 0, 0, 0);

        public Retention {
            keepTags = List.copyOf(keepTags);
            sources = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(sources));
            tags = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tags));
            legalMinimums = Map.copyOf(legalMinimums);
        }

        public Retention(int keepLast, int daily, int weekly, int monthly, int yearly) {
            this(keepLast, daily, weekly, monthly, yearly, 0, null, List.of(), Map.of(), Map.of(), Map.of(),
                    DEFAULT_REPACK_THRESHOLD, DEFAULT_PRUNE_GRACE, false);
        }

        public boolean keepsAll() {
            return toPolicy().keepsAll();
        }

        /** The rules of an override; null keys are taken from the repository's policy. */
        public record Rules(Integer keepLast, Integer hourly, Integer daily, Integer weekly, Integer monthly,
                            Integer yearly, String keepWithin, List<String> keepTags) {
        }

        /** The planner's view of this configuration. */
        public io.restorekit.retention.RetentionPolicy toPolicy() {
            io.restorekit.retention.Policy base = new io.restorekit.retention.Policy(keepLast, hourly, daily, weekly,
                    monthly, yearly, keepWithin == null ? null : io.restorekit.retention.Age.parse(keepWithin), keepTags);
            Map<String, io.restorekit.retention.Policy> bySource = new java.util.LinkedHashMap<>();
            sources.forEach((k, v) -> bySource.put(k, merge(base, v)));
            Map<String, io.restorekit.retention.Policy> byTag = new java.util.LinkedHashMap<>();
            tags.forEach((k, v) -> byTag.put(k, merge(base, v)));
            Map<String, io.restorekit.retention.Age> legal = new java.util.LinkedHashMap<>();
            legalMinimums.forEach((k, v) -> legal.put(k, io.restorekit.retention.Age.parse(v)));
            return new io.restorekit.retention.RetentionPolicy(base, bySource, byTag, legal);
        }

        private static io.restorekit.retention.Policy merge(io.restorekit.retention.Policy b, Rules r) {
            return new io.restorekit.retention.Policy(
                    r.keepLast() != null ? r.keepLast() : b.keepLast(), r.hourly() != null ? r.hourly() : b.hourly(),
                    r.daily() != null ? r.daily() : b.daily(), r.weekly() != null ? r.weekly() : b.weekly(),
                    r.monthly() != null ? r.monthly() : b.monthly(), r.yearly() != null ? r.yearly() : b.yearly(),
                    r.keepWithin() != null ? io.restorekit.retention.Age.parse(r.keepWithin()) : b.keepWithin(),
                    r.keepTags() != null ? r.keepTags() : b.keepTags());
        }
    }

    /**
     * @param target      {@code embedded} or a JDBC URL of a server where a temporary database may be created
     * @param rto         a drill slower than this is a warning; null when not set
     * @param sampleFiles files restored per files source: 0 for all, otherwise this many at random
     *                    plus every file changed since the previous drill
     * @param liveFiles   live source files spot-checked against the snapshot
     * @param runbook     the runbook the drill executes ({@code drill.runbook}); null when not set
     */
    public record Drill(String target, Duration rto, List<Check> checks, int sampleFiles, int liveFiles,
                        String runbook) {
        public static final int LIVE_FILES = 20;

        public Drill {
            checks = List.copyOf(checks);
        }

        public Drill(String target, Duration rto, List<Check> checks) {
            this(target, rto, checks, 0, LIVE_FILES, null);
        }

        /**
         * A query whose single number must satisfy {@code expect}.
         *
         * @param expect an operator and a number, or a range: {@code = 0}, {@code > 100}, {@code != 3},
         *               {@code between 1 and 5}
         */
        public record Check(String name, String sql, String expect) {
        }
    }

    /** Spring cron expressions (seconds first); null when a job is not scheduled. */
    public record Schedule(String backup, String verify, String drill, String forget, String prune, String copy) {
    }

    /**
     * @param email      null when not configured
     * @param webhook    null when not configured
     * @param staleAfter alert when a source has no successful backup for this long; null: never
     * @param sizeChange alert when a backup's size differs from the recent average by more than this percentage; null: never
     * @param minFreeDisk alert when free disk space falls below this percentage; null: never
     */
    public record Alerts(Email email, URI webhook, Duration staleAfter, Double sizeChange, Double minFreeDisk,
                         boolean successSummary) {
        public static final Alerts NONE = new Alerts(null, null, null, null, null, false);

        public Alerts(Email email, URI webhook, Duration staleAfter, Double sizeChange, Double minFreeDisk) {
            this(email, webhook, staleAfter, sizeChange, minFreeDisk, false);
        }

        /** @param passwordEnv environment variable holding the SMTP password, or null */
        public record Email(String host, int port, String username, String passwordEnv, String from, List<String> to) {
            public Email {
                to = List.copyOf(to);
            }
        }
    }

    /**
     * @param url         JDBC URL of the operations catalog
     * @param username    database user, or null (the URL's own parameters)
     * @param passwordEnv environment variable holding the database password, or null
     */
    public record Catalog(String url, String username, String passwordEnv) {
        public Catalog(String url) {
            this(url, null, null);
        }
    }

    /**
     * Who may do what: operating-system users, or groups written {@code group:NAME}. Empty lists mean
     * roles are not configured and everything is allowed.
     *
     * @param master   may do everything: in-place restores, {@code --yes}, forget/prune, export, keys, unlock
     * @param operator may back up, verify, copy, list, report, restore into a new target and do dry runs
     */
    public record Roles(List<String> master, List<String> operator) {
        public static final Roles NONE = new Roles(List.of(), List.of());

        public Roles {
            master = List.copyOf(master);
            operator = List.copyOf(operator);
        }

        public boolean configured() {
            return !master.isEmpty() || !operator.isEmpty();
        }
    }

    /**
     * @param port Prometheus text-format endpoint of the daemon; 0 when off
     * @param bind the address it listens on (default 127.0.0.1)
     */
    public record Metrics(int port, String bind) {
        public static final Metrics OFF = new Metrics(0, "127.0.0.1");
    }

    /**
     * @param repository   a local folder or a Git URL holding the runbooks
     * @param identityFile SSH private key for an {@code ssh://} repository; null: {@code ~/.ssh/id_ed25519} or {@code id_rsa}
     * @param knownHosts   known_hosts file for an {@code ssh://} repository; null: {@code ~/.ssh/known_hosts}
     * @param passwordEnv  environment variable holding the password or token of an {@code https://} repository; null: none
     */
    public record Runbooks(String repository, String identityFile, String knownHosts, String passwordEnv) {
        public Runbooks(String repository) {
            this(repository, null, null, null);
        }
    }
}
