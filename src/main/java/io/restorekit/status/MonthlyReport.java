package io.restorekit.status;

import io.restorekit.catalog.AlertRecord;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;

/** A month of operations: per source and destination, drills and alerts. */
public record MonthlyReport(YearMonth month, List<SourceMonth> sources, List<DestinationMonth> destinations,
                            List<DrillEntry> drills, List<AlertRecord> alerts, long bytesRead, long bytesAdded,
                            long bytesStored) {

    /** @param daily per day of the month that had a successful backup: its size and duration */
    public record SourceMonth(String source, int runs, int succeeded, int failed, double successRate,
                              long bytesRead, long bytesAdded, long bytesStored, long averageMillis, long maxMillis,
                              List<Day> daily) {
    }

    public record Day(LocalDate date, long bytes, long stored, long millis) {
    }

    /** A destination: the primary repository (backups) or a copy (copy runs). */
    public record DestinationMonth(String name, String kind, int runs, int succeeded, double successRate,
                                   long bytes) {
    }

    public record DrillEntry(String source, LocalDate date, String status, long restoreMillis, String error) {
    }
}
