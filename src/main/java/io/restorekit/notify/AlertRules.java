package io.restorekit.notify;

import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.Sizes;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * When to alert (DESIGN.md §4 {@code alerts}). Pure functions of runs and measurements; the
 * {@link AlertService} keeps the state.
 *
 * @param staleAfter     a source without a successful backup for this long is stale; null: never
 * @param sizeChange     percent a backup's size may differ from the average of the previous ones; null: never
 * @param minFreeDisk    percent of free disk below which a disk is short; null: never
 * @param drillRto       a drill slower than this is a warning; null: never
 * @param durationFactor a backup slower than this many times its recent average (and a minute more) is a warning
 */
public record AlertRules(Duration staleAfter, Double sizeChange, Double minFreeDisk, Duration drillRto,
                         double durationFactor) {
    /** How many previous successful backups make the "recent average". */
    public static final int RECENT = 5;
    private static final Duration MIN_SLOWDOWN = Duration.ofMinutes(1);

    public AlertRules(Duration staleAfter, Double sizeChange, Double minFreeDisk, Duration drillRto) {
        this(staleAfter, sizeChange, minFreeDisk, drillRto, 3.0);
    }

    public static String key(String kind, String subject) {
        return kind + ":" + subject;
    }

    /**
     * The conditions a run that just ended shows: failures of any kind, and for a backup its size
     * and duration against {@code previous} (earlier runs of the same kind and source, newest first).
     */
    public Evaluation afterRun(Run run, List<Run> previous) {
        String subject = run.source() != null ? run.source() : run.repository() != null ? run.repository() : "all";
        boolean failed = run.status() == RunStatus.FAILED;
        List<Condition> found = new ArrayList<>();
        switch (run.kind()) {
            case BACKUP -> {
                if (failed) {
                    found.add(new Condition(key("backup-failed", subject), "BACKUP_FAILED", subject, "critical",
                            "backup of source '" + subject + "' failed", run.error(),
                            "that source '" + subject + "' is reachable and readable, the repository's free space"
                                    + " and locks ('rk unlock'), then run 'rk backup --source " + subject + "'"));
                    return new Evaluation(Set.of(key("backup-failed", subject)), found);
                }
                List<Run> good = previous.stream().filter(AlertRules::succeeded).limit(RECENT).toList();
                sizeChange(run, good).ifPresent(found::add);
                slowdown(run, good).ifPresent(found::add);
                return new Evaluation(Set.of(key("backup-failed", subject), key("stale", subject),
                        key("size", subject), key("duration", subject)), found);
            }
            case VERIFY, COPY, RESTORE, FORGET, PRUNE, EXPORT, IMPORT, RUNBOOK -> {
                String kind = run.kind().name().toLowerCase(java.util.Locale.ROOT);
                if (failed || (run.kind() == RunKind.VERIFY && run.status() == RunStatus.WARNING)) {
                    found.add(new Condition(key(kind, subject), run.kind() + "_FAILED", subject, "critical",
                            kind + " of '" + subject + "' " + (failed ? "failed" : "found problems"), run.error(),
                            run.kind() == RunKind.VERIFY
                                    ? "'rk verify --read-data' lists what each problem affects; 'rk index rebuild'"
                                    + " repairs a damaged index"
                                    : run.kind() == RunKind.COPY
                                    ? "that copy '" + subject + "' is reachable and has space, then run 'rk copy --to "
                                    + subject + "'"
                                    : "the error above, then run it again"));
                }
                return new Evaluation(Set.of(key(kind, subject)), found);
            }
            case DRILL -> {
                if (failed) {
                    found.add(new Condition(key("drill", subject), "DRILL_FAILED", subject, "critical",
                            "restore drill of '" + subject + "' failed", run.error(),
                            "the drill report ('rk drill history'): a snapshot that does not restore is a backup"
                                    + " that does not exist"));
                } else if (drillRto != null && run.duration() != null && run.duration().compareTo(drillRto) > 0) {
                    found.add(new Condition(key("drill-slow", subject), "DRILL_SLOW", subject, "warning",
                            "restore drill of '" + subject + "' took longer than the RTO",
                            Sizes.millis(run.duration().toMillis()) + " > " + Sizes.millis(drillRto.toMillis()),
                            "the restore target's speed and the size of the data, or raise 'drill.rto'"));
                }
                return new Evaluation(Set.of(key("drill", subject), key("drill-slow", subject)), found);
            }
            default -> {
                return Evaluation.NONE;
            }
        }
    }

    /** Whether {@code source}, last backed up successfully at {@code lastSuccess} (null: never), is stale at {@code now}. */
    public Evaluation stale(String source, Instant lastSuccess, Instant now) {
        String key = key("stale", source);
        if (staleAfter == null) {
            return new Evaluation(Set.of(key), List.of());
        }
        if (lastSuccess != null && Duration.between(lastSuccess, now).compareTo(staleAfter) <= 0) {
            return new Evaluation(Set.of(key), List.of());
        }
        String detail = lastSuccess == null ? "it has never been backed up"
                : "the last successful backup was " + age(Duration.between(lastSuccess, now)) + " ago (" + lastSuccess
                + "), more than stale-after " + age(staleAfter);
        return new Evaluation(Set.of(key), List.of(new Condition(key, "STALE", source, "critical",
                "source '" + source + "' is stale", detail,
                "that the schedule (cron or 'rk daemon') still runs, and the log of the last 'rk backup --source "
                        + source + "'")));
    }

    /** Whether the disk of {@code subject} at {@code where} has too little free space. */
    public Evaluation disk(String subject, String where, long usable, long total) {
        String key = key("disk", subject);
        if (minFreeDisk == null || total <= 0) {
            return new Evaluation(Set.of(key), List.of());
        }
        double free = usable * 100.0 / total;
        if (free >= minFreeDisk) {
            return new Evaluation(Set.of(key), List.of());
        }
        return new Evaluation(Set.of(key), List.of(new Condition(key, "LOW_DISK", subject, "warning",
                "free disk of '" + subject + "' is low",
                String.format(java.util.Locale.ROOT, "%.1f%% free (%s of %s) at %s, under min-free-disk %.0f%%",
                        free, Sizes.bytes(usable), Sizes.bytes(total), where, minFreeDisk),
                "what fills " + where + "; 'rk forget' and 'rk prune' free repository space")));
    }

    /** Whether copy {@code copy} lags the primary by more than stale-after. */
    public Evaluation copyLag(String copy, Duration lag, int missingSnapshots) {
        String key = key("copy-lag", copy);
        if (staleAfter == null || lag == null || lag.compareTo(staleAfter) <= 0) {
            return new Evaluation(Set.of(key), List.of());
        }
        return new Evaluation(Set.of(key), List.of(new Condition(key, "COPY_LAG", copy, "warning",
                "copy '" + copy + "' lags the primary repository",
                "its newest snapshot is " + age(lag) + " older than the primary's; " + missingSnapshots
                        + " snapshot(s) missing",
                "that 'rk copy --to " + copy + "' runs and the copy is reachable")));
    }

    private java.util.Optional<Condition> sizeChange(Run run, List<Run> good) {
        if (sizeChange == null || good.isEmpty()) {
            return java.util.Optional.empty();
        }
        double average = good.stream().mapToLong(Run::bytesRead).average().orElse(0);
        if (average <= 0) {
            return java.util.Optional.empty();
        }
        double change = (run.bytesRead() - average) * 100.0 / average;
        if (Math.abs(change) <= sizeChange) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Condition(key("size", run.source()), "SIZE_CHANGE", run.source(), "warning",
                "backup size of '" + run.source() + "' changed by " + String.format(java.util.Locale.ROOT, "%+.0f%%",
                        change),
                Sizes.bytes(run.bytesRead()) + " against an average of " + Sizes.bytes((long) average) + " over the last "
                        + good.size() + " backup(s), more than size-change " + String.format(java.util.Locale.ROOT,
                        "%.0f%%", sizeChange),
                "whether data was deleted or mass-created in source '" + run.source() + "', or its exclude rules changed"));
    }

    private java.util.Optional<Condition> slowdown(Run run, List<Run> good) {
        if (run.duration() == null || good.isEmpty()) {
            return java.util.Optional.empty();
        }
        double average = good.stream().filter(r -> r.duration() != null).mapToLong(r -> r.duration().toMillis())
                .average().orElse(0);
        long took = run.duration().toMillis();
        if (average <= 0 || took <= average * durationFactor || took - average < MIN_SLOWDOWN.toMillis()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Condition(key("duration", run.source()), "SLOW_BACKUP", run.source(),
                "warning", "backup of '" + run.source() + "' took far longer than usual",
                Sizes.millis(took) + " against an average of " + Sizes.millis((long) average),
                "the source's and the repository's disks and network, and the backup's size"));
    }

    static boolean succeeded(Run r) {
        return r.status() == RunStatus.SUCCEEDED || r.status() == RunStatus.WARNING;
    }

    static String age(Duration d) {
        long minutes = d.toMinutes();
        if (minutes < 120) {
            return minutes + "m";
        }
        long hours = d.toHours();
        return hours < 72 ? hours + "h" : (hours / 24) + "d " + (hours % 24) + "h";
    }
}
