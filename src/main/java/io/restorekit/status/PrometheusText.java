package io.restorekit.status;

import java.util.Locale;
import java.util.function.Function;

/** The Prometheus text format (version 0.0.4) of a {@link StatusReport}, as served by the daemon and written by {@code status --prometheus}. */
public final class PrometheusText {
    private PrometheusText() {
    }

    public static String render(StatusReport r) {
        StringBuilder out = new StringBuilder();
        gauge(out, "rk_last_success_timestamp_seconds", "end of the last successful backup, per source", r,
                s -> s.lastSuccess() == null ? null : s.lastSuccess().getEpochSecond() + s.lastSuccess().getNano() / 1e9);
        gauge(out, "rk_last_backup_age_seconds", "seconds since the last successful backup, per source", r,
                s -> s.ageSeconds() == null ? null : (double) s.ageSeconds());
        gauge(out, "rk_last_backup_size_bytes", "bytes read by the last successful backup", r,
                s -> s.lastSuccess() == null ? null : (double) s.lastSize());
        gauge(out, "rk_last_backup_stored_bytes", "bytes the last successful backup added to storage", r,
                s -> s.lastSuccess() == null ? null : (double) s.lastStored());
        gauge(out, "rk_last_backup_duration_seconds", "duration of the last successful backup", r,
                s -> s.lastDurationMs() == null ? null : s.lastDurationMs() / 1000.0);
        gauge(out, "rk_source_state", "0 green, 1 yellow, 2 red (stale or never backed up)", r,
                s -> switch (s.state()) {
                    case "green" -> 0.0;
                    case "yellow" -> 1.0;
                    default -> 2.0;
                });
        gauge(out, "rk_last_drill_success", "1 when the last restore drill succeeded, else 0", r,
                s -> s.lastDrill() == null ? null : s.lastDrill().status().equals("SUCCEEDED") ? 1.0 : 0.0);
        gauge(out, "rk_last_drill_restore_seconds", "measured restore time of the last drill", r,
                s -> s.lastDrill() == null || s.lastDrill().restoreMillis() == null ? null
                        : s.lastDrill().restoreMillis() / 1000.0);
        repositoryGauge(out, "rk_repository_up", "1 when the repository could be opened", r,
                x -> x.reachable() ? 1.0 : 0.0);
        repositoryGauge(out, "rk_repository_snapshots", "snapshots in the repository", r,
                x -> x.reachable() ? (double) x.snapshots() : null);
        repositoryGauge(out, "rk_repository_free_bytes", "free bytes on the repository's disk (local only)", r,
                x -> x.freeBytes() == null ? null : (double) x.freeBytes());
        repositoryGauge(out, "rk_copy_lag_seconds", "how far a copy's newest snapshot is behind the primary's", r,
                x -> x.lagSeconds() == null ? null : (double) x.lagSeconds());
        out.append("# HELP rk_open_alerts alerts currently open\n# TYPE rk_open_alerts gauge\n")
                .append("rk_open_alerts ").append(r.openAlerts().size()).append('\n');
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, String help, StatusReport r,
                              Function<StatusReport.SourceStatus, Double> value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n");
        for (StatusReport.SourceStatus s : r.sources()) {
            Double v = value.apply(s);
            if (v != null) {
                out.append(name).append("{source=\"").append(label(s.source())).append("\"} ").append(number(v))
                        .append('\n');
            }
        }
    }

    private static void repositoryGauge(StringBuilder out, String name, String help, StatusReport r,
                                        Function<StatusReport.RepositoryStatus, Double> value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n");
        for (StatusReport.RepositoryStatus x : r.repositories()) {
            Double v = value.apply(x);
            if (v != null) {
                out.append(name).append("{repository=\"").append(label(x.name())).append("\"} ").append(number(v))
                        .append('\n');
            }
        }
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String label(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
