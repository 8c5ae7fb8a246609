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
                       Schedule schedule, Alerts alerts, Catalog catalog, Runbooks runbooks) {

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
     * @param target {@code embedded} or a JDBC URL of a server where a temporary database may be created
     * @param rto    a drill slower than this is a warning; null when not set
     */
    public record Drill(String target, Duration rto, List<Check> checks) {
        public Drill {
            checks = List.copyOf(checks);
        }

        /**
         * A query whose single number must satisfy {@code expect}.
         *
         * @param expect an operator and a number: {@code = 0}, {@code > 100}, {@code != 3}
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
    public record Alerts(Email email, URI webhook, Duration staleAfter, Double sizeChange, Double minFreeDisk) {
        public static final Alerts NONE = new Alerts(null, null, null, null, null);

        /** @param passwordEnv environment variable holding the SMTP password, or null */
        public record Email(String host, int port, String username, String passwordEnv, String from, List<String> to) {
            public Email {
                to = List.copyOf(to);
            }
        }
    }

    /** @param url JDBC URL of the operations catalog */
    public record Catalog(String url) {
    }

    /** @param repository a local folder or a Git URL holding the runbooks */
    public record Runbooks(String repository) {
    }
}
