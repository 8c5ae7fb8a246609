package io.restorekit.status;

import io.restorekit.catalog.AlertRecord;
import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.Run;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunQuery;
import io.restorekit.catalog.RunStatus;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Builds the {@link MonthlyReport} of a month from the catalog; {@link ReportRenderer} writes it as Markdown or HTML. */
public final class ReportService {
    private final Catalog catalog;
    private final ZoneId zone;

    public ReportService(Catalog catalog, ZoneId zone) {
        this.catalog = catalog;
        this.zone = zone;
    }

    /** @param sources configured sources, listed even when they had no run */
    public MonthlyReport report(YearMonth month, List<String> sources) {
        Instant from = month.atDay(1).atStartOfDay(zone).toInstant();
        Instant to = month.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant();
        List<Run> runs = catalog.runs(new RunQuery(null, null, from, 0)).stream()
                .filter(r -> r.started().isBefore(to)).toList();
        Set<String> names = new LinkedHashSet<>(sources);
        runs.stream().filter(r -> r.kind() == RunKind.BACKUP && r.source() != null).map(Run::source)
                .sorted().forEach(names::add);
        List<MonthlyReport.SourceMonth> perSource = new ArrayList<>();
        for (String name : names) {
            List<Run> backups = runs.stream().filter(r -> r.kind() == RunKind.BACKUP && name.equals(r.source())
                    && r.status() != RunStatus.RUNNING).sorted(java.util.Comparator.comparing(Run::started)).toList();
            List<Run> good = backups.stream().filter(ReportService::succeeded).toList();
            Map<LocalDate, MonthlyReport.Day> daily = new TreeMap<>();
            for (Run r : good) {
                LocalDate d = r.started().atZone(zone).toLocalDate();
                daily.put(d, new MonthlyReport.Day(d, r.bytesRead(), r.bytesStored(), millis(r)));
            }
            perSource.add(new MonthlyReport.SourceMonth(name, backups.size(), good.size(),
                    backups.size() - good.size(), rate(good.size(), backups.size()),
                    good.stream().mapToLong(Run::bytesRead).sum(), good.stream().mapToLong(Run::bytesAdded).sum(),
                    good.stream().mapToLong(Run::bytesStored).sum(),
                    (long) good.stream().mapToLong(ReportService::millis).average().orElse(0),
                    good.stream().mapToLong(ReportService::millis).max().orElse(0), List.copyOf(daily.values())));
        }
        Map<String, List<Run>> byDestination = new LinkedHashMap<>();
        runs.stream().filter(r -> r.kind() == RunKind.BACKUP || r.kind() == RunKind.COPY)
                .filter(r -> r.status() != RunStatus.RUNNING)
                .forEach(r -> byDestination.computeIfAbsent((r.kind() == RunKind.BACKUP ? "backup" : "copy") + "\u0000"
                        + (r.repository() == null ? "primary" : r.repository()), k -> new ArrayList<>()).add(r));
        List<MonthlyReport.DestinationMonth> destinations = new ArrayList<>();
        byDestination.forEach((key, list) -> {
            String[] parts = key.split("\u0000");
            long ok = list.stream().filter(ReportService::succeeded).count();
            destinations.add(new MonthlyReport.DestinationMonth(parts[1], parts[0], list.size(), (int) ok,
                    rate((int) ok, list.size()), list.stream().mapToLong(Run::bytesStored).sum()));
        });
        List<MonthlyReport.DrillEntry> drills = runs.stream().filter(r -> r.kind() == RunKind.DRILL)
                .filter(r -> r.status() != RunStatus.RUNNING)
                .sorted(java.util.Comparator.comparing(Run::started))
                .map(r -> new MonthlyReport.DrillEntry(r.source() == null ? "all" : r.source(),
                        r.started().atZone(zone).toLocalDate(), r.status().name(), millis(r), r.error())).toList();
        List<AlertRecord> alerts = catalog.alerts(from, false).stream().filter(a -> a.opened().isBefore(to)).toList();
        List<Run> goodBackups = runs.stream().filter(r -> r.kind() == RunKind.BACKUP && succeeded(r)).toList();
        return new MonthlyReport(month, perSource, destinations, drills, alerts,
                goodBackups.stream().mapToLong(Run::bytesRead).sum(), goodBackups.stream().mapToLong(Run::bytesAdded).sum(),
                goodBackups.stream().mapToLong(Run::bytesStored).sum());
    }

    private static boolean succeeded(Run r) {
        return r.status() == RunStatus.SUCCEEDED || r.status() == RunStatus.WARNING;
    }

    private static long millis(Run r) {
        return r.duration() == null ? 0 : r.duration().toMillis();
    }

    private static double rate(int ok, int all) {
        return all == 0 ? 0 : Math.round(ok * 1000.0 / all) / 10.0;
    }
}
