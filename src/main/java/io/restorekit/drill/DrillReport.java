package io.restorekit.drill;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.restorekit.catalog.RunStatus;
import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The evidence of one drill: what was restored where, how long it took (the RTO it proves), how
 * old the snapshot was (the RPO), every check with its expected and actual value, and the cleanup.
 * Stored as the {@code details} of the drill's catalog run.
 *
 * @param id            the catalog run id; 0 when no catalog recorded it
 * @param drill         the drill's own name (timestamp and random suffix; names its scratch folder and databases)
 * @param restoreMs     wall time to a usable restore: server start, database creation, schema, data,
 *                      indexes and constraints, and files; checks not included
 * @param rtoMs         the objective; 0 when none is configured
 * @param snapshotAgeMs age at the drill's start of the oldest snapshot restored
 * @param keptAt        where the kept database and folder are ({@code --keep}); null when cleaned up
 * @param error         why the drill stopped early, or null
 */
public record DrillReport(long id, String drill, RunStatus status, Instant started, Instant ended, String target,
                          long restoreMs, long rtoMs, long snapshotAgeMs, List<SourceDrill> sources,
                          List<Check> checks, List<String> cleanup, String keptAt, String error) {
    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public DrillReport {
        sources = List.copyOf(sources);
        checks = List.copyOf(checks);
        cleanup = List.copyOf(cleanup);
    }

    public enum Severity { ERROR, WARNING }

    /**
     * One check.
     *
     * @param source   the source it concerns, or null for the drill as a whole
     * @param severity what a failure makes the drill: FAILED for ERROR, WARNING for WARNING
     * @param detail   what differs, when it failed (names tables, tenants, files); null otherwise
     */
    public record Check(String source, String name, String expected, String actual, boolean passed,
                        Severity severity, String detail) {
    }

    /**
     * One restored snapshot.
     *
     * @param restoredTo the temporary database (JDBC URL without credentials) or folder
     */
    public record SourceDrill(String source, String kind, String snapshot, Instant snapshotTime, String restoredTo,
                              long restoreMs, List<Phase> phases, long tables, long rows, long files, long bytes) {
        public SourceDrill {
            phases = List.copyOf(phases);
        }
    }

    public record Phase(String name, long durationMs) {
    }

    @JsonIgnore
    public List<Check> failures() {
        return checks.stream().filter(c -> !c.passed()).toList();
    }

    /** The exit code the report stands for: a failed drill is a problem found. */
    @JsonIgnore
    public ErrorCode code() {
        return status == RunStatus.FAILED ? ErrorCode.PROBLEMS_FOUND : ErrorCode.OK;
    }

    public DrillReport withId(long newId) {
        return new DrillReport(newId, drill, status, started, ended, target, restoreMs, rtoMs, snapshotAgeMs, sources,
                checks, cleanup, keptAt, error);
    }

    public String toJson() {
        try {
            return MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static DrillReport fromJson(String json) {
        try {
            return MAPPER.readValue(json, DrillReport.class);
        } catch (JsonProcessingException e) {
            throw new RkException(ErrorCode.FAILED, "a drill report in the catalog cannot be read: " + e.getMessage(), e);
        }
    }

    /** The report as Markdown, for people and for audit evidence. */
    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Restore drill ").append(id > 0 ? "#" + id + " " : "").append("(").append(drill).append(")\n\n");
        md.append("**Result: ").append(status == RunStatus.SUCCEEDED ? "PASSED" : status.name()).append("**");
        long failed = checks.stream().filter(c -> !c.passed() && c.severity() == Severity.ERROR).count();
        long warned = checks.stream().filter(c -> !c.passed() && c.severity() == Severity.WARNING).count();
        md.append(" (").append(checks.size()).append(" checks, ").append(failed).append(" failed, ").append(warned)
                .append(warned == 1 ? " warning" : " warnings").append(")\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| started | ").append(started).append(" |\n");
        md.append("| ended | ").append(ended).append(" |\n");
        md.append("| target | ").append(target).append(" |\n");
        md.append("| measured restore time (RTO proven) | ").append(human(restoreMs))
                .append(rtoMs > 0 ? " (objective " + human(rtoMs) + ")" : "").append(" |\n");
        md.append("| snapshot age (RPO) | ").append(human(snapshotAgeMs)).append(" |\n");
        if (keptAt != null) {
            md.append("| kept for inspection | ").append(keptAt).append(" |\n");
        }
        if (error != null) {
            md.append("| stopped by | ").append(cell(error)).append(" |\n");
        }
        md.append("\n## Restored\n\n| source | kind | snapshot | taken | restored to | time | tables | rows | files |\n")
                .append("|---|---|---|---|---|---:|---:|---:|---:|\n");
        for (SourceDrill s : sources) {
            md.append("| ").append(s.source()).append(" | ").append(s.kind()).append(" | ")
                    .append(s.snapshot() == null ? "" : s.snapshot().substring(0, Math.min(8, s.snapshot().length())))
                    .append(" | ").append(s.snapshotTime()).append(" | ").append(cell(s.restoredTo())).append(" | ")
                    .append(human(s.restoreMs())).append(" | ").append(s.tables()).append(" | ").append(s.rows())
                    .append(" | ").append(s.files()).append(" |\n");
        }
        for (SourceDrill s : sources) {
            if (!s.phases().isEmpty()) {
                md.append("\nPhases of ").append(s.source()).append(": ");
                md.append(String.join(", ", s.phases().stream().map(p -> p.name() + " " + human(p.durationMs()))
                        .toList())).append('\n');
            }
        }
        md.append("\n## Checks\n\n| result | source | check | expected | actual |\n|---|---|---|---|---|\n");
        for (Check c : checks) {
            md.append("| ").append(c.passed() ? "ok" : c.severity() == Severity.ERROR ? "**FAILED**" : "*warning*")
                    .append(" | ").append(c.source() == null ? "" : c.source()).append(" | ").append(cell(c.name()))
                    .append(" | ").append(cell(c.expected())).append(" | ").append(cell(c.actual())).append(" |\n");
        }
        List<Check> problems = failures();
        if (!problems.isEmpty()) {
            md.append("\n## Problems\n\n");
            for (Check c : problems) {
                md.append("- ").append(c.source() == null ? "" : c.source() + ": ").append(c.name()).append(": expected ")
                        .append(c.expected()).append(", got ").append(c.actual())
                        .append(c.detail() == null ? "" : " (" + c.detail() + ")").append('\n');
            }
        }
        md.append("\n## Cleanup\n\n");
        if (cleanup.isEmpty()) {
            md.append("- nothing to clean up\n");
        }
        cleanup.forEach(step -> md.append("- ").append(step).append('\n'));
        return md.toString();
    }

    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
    }

    /** 850 ms, 12.3 s, 4 min 05 s, 2 h 03 min, 3 d 04 h. */
    public static String human(long ms) {
        if (ms < 1000) {
            return ms + " ms";
        }
        Duration d = Duration.ofMillis(ms);
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        if (ms < 3_600_000) {
            return String.format(Locale.ROOT, "%d min %02d s", d.toMinutes(), d.toSecondsPart());
        }
        if (ms < 86_400_000) {
            return String.format(Locale.ROOT, "%d h %02d min", d.toHours(), d.toMinutesPart());
        }
        return String.format(Locale.ROOT, "%d d %02d h", d.toDays(), d.toHoursPart());
    }
}
