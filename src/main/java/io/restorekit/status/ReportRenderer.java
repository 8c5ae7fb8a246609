package io.restorekit.status;

import io.restorekit.catalog.AlertRecord;
import io.restorekit.common.Sizes;

import java.util.List;
import java.util.Locale;

/** Writes a {@link MonthlyReport} as Markdown, or as one self-contained HTML page with SVG charts. */
public final class ReportRenderer {
    private ReportRenderer() {
    }

    public static String markdown(MonthlyReport r) {
        StringBuilder out = new StringBuilder("# restorekit report " + r.month() + "\n\n");
        out.append("Data read ").append(Sizes.bytes(r.bytesRead())).append(", new after deduplication ")
                .append(Sizes.bytes(r.bytesAdded())).append(", stored after compression ")
                .append(Sizes.bytes(r.bytesStored())).append(savings(r)).append(".\n\n");
        out.append("## Backups per source\n\n| source | runs | succeeded | failed | success rate | read | stored |"
                + " average time | longest |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (MonthlyReport.SourceMonth s : r.sources()) {
            out.append("| ").append(s.source()).append(" | ").append(s.runs()).append(" | ").append(s.succeeded())
                    .append(" | ").append(s.failed()).append(" | ").append(pct(s.successRate())).append(" | ")
                    .append(Sizes.bytes(s.bytesRead())).append(" | ").append(Sizes.bytes(s.bytesStored())).append(" | ")
                    .append(Sizes.millis(s.averageMillis())).append(" | ").append(Sizes.millis(s.maxMillis()))
                    .append(" |\n");
        }
        out.append("\n## Destinations\n\n| destination | kind | runs | succeeded | success rate | stored |\n"
                + "|---|---|---:|---:|---:|---:|\n");
        for (MonthlyReport.DestinationMonth d : r.destinations()) {
            out.append("| ").append(d.name()).append(" | ").append(d.kind()).append(" | ").append(d.runs()).append(" | ")
                    .append(d.succeeded()).append(" | ").append(pct(d.successRate())).append(" | ")
                    .append(Sizes.bytes(d.bytes())).append(" |\n");
        }
        out.append("\n## Restore drills\n\n");
        if (r.drills().isEmpty()) {
            out.append("No drill ran this month.\n");
        } else {
            out.append("| date | source | result | restore time |\n|---|---|---|---:|\n");
            r.drills().forEach(d -> out.append("| ").append(d.date()).append(" | ").append(d.source()).append(" | ")
                    .append(d.status()).append(" | ").append(Sizes.millis(d.restoreMillis())).append(" |\n"));
        }
        out.append("\n## Alerts\n\n");
        if (r.alerts().isEmpty()) {
            out.append("No alert this month.\n");
        } else {
            out.append("| opened | cleared | severity | alert |\n|---|---|---|---|\n");
            for (AlertRecord a : r.alerts()) {
                out.append("| ").append(a.opened()).append(" | ").append(a.cleared() == null ? "open" : a.cleared())
                        .append(" | ").append(a.severity()).append(" | ").append(a.message().replace("|", "\\|"))
                        .append(" |\n");
            }
        }
        return out.toString();
    }

    public static String html(MonthlyReport r) {
        StringBuilder out = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>restorekit report " + r.month() + "</title><style>"
                + "body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;"
                + "margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px}td.n{text-align:right}"
                + "figure{display:inline-block;margin:0 2em 1em 0}figcaption{font-size:90%;color:#555}"
                + ".bad{color:#b00}</style></head><body>\n");
        out.append("<h1>restorekit report ").append(r.month()).append("</h1>\n<p>Data read ")
                .append(Sizes.bytes(r.bytesRead())).append(", new after deduplication ").append(Sizes.bytes(r.bytesAdded()))
                .append(", stored after compression ").append(Sizes.bytes(r.bytesStored())).append(esc(savings(r)))
                .append(".</p>\n");
        out.append("<figure>").append(SvgCharts.bars("savings", "Read, new and stored (MiB)",
                List.of("read", "new", "stored"), List.of(mib(r.bytesRead()), mib(r.bytesAdded()), mib(r.bytesStored()))))
                .append("<figcaption>Deduplication and compression savings</figcaption></figure>\n");
        out.append("<h2>Backups per source</h2>\n<table><tr><th>source</th><th>runs</th><th>succeeded</th><th>failed</th>"
                + "<th>success rate</th><th>read</th><th>stored</th><th>average time</th><th>longest</th></tr>\n");
        for (MonthlyReport.SourceMonth s : r.sources()) {
            out.append("<tr><td>").append(esc(s.source())).append("</td><td class=n>").append(s.runs())
                    .append("</td><td class=n>").append(s.succeeded()).append("</td><td class=\"n")
                    .append(s.failed() > 0 ? " bad" : "").append("\">").append(s.failed()).append("</td><td class=n>")
                    .append(pct(s.successRate())).append("</td><td class=n>").append(Sizes.bytes(s.bytesRead()))
                    .append("</td><td class=n>").append(Sizes.bytes(s.bytesStored())).append("</td><td class=n>")
                    .append(Sizes.millis(s.averageMillis())).append("</td><td class=n>").append(Sizes.millis(s.maxMillis()))
                    .append("</td></tr>\n");
        }
        out.append("</table>\n");
        out.append("<figure>").append(SvgCharts.bars("success-rate", "Success rate per source (%)",
                        r.sources().stream().map(MonthlyReport.SourceMonth::source).toList(),
                        r.sources().stream().map(MonthlyReport.SourceMonth::successRate).toList()))
                .append("<figcaption>Success rate per source</figcaption></figure>\n");
        for (MonthlyReport.SourceMonth s : r.sources()) {
            if (s.daily().isEmpty()) {
                continue;
            }
            List<String> days = s.daily().stream().map(d -> Integer.toString(d.date().getDayOfMonth())).toList();
            out.append("<figure>").append(SvgCharts.line("size-" + s.source(), "Size of '" + s.source()
                    + "' per day (MiB)", days, s.daily().stream().map(d -> mib(d.bytes())).toList()))
                    .append("<figcaption>Backup size of ").append(esc(s.source())).append("</figcaption></figure>\n");
            out.append("<figure>").append(SvgCharts.line("duration-" + s.source(), "Duration of '" + s.source()
                    + "' per day (s)", days, s.daily().stream().map(d -> d.millis() / 1000.0).toList()))
                    .append("<figcaption>Backup duration of ").append(esc(s.source())).append("</figcaption></figure>\n");
        }
        out.append("<h2>Destinations</h2>\n<table><tr><th>destination</th><th>kind</th><th>runs</th><th>succeeded</th>"
                + "<th>success rate</th><th>stored</th></tr>\n");
        for (MonthlyReport.DestinationMonth d : r.destinations()) {
            out.append("<tr><td>").append(esc(d.name())).append("</td><td>").append(d.kind()).append("</td><td class=n>")
                    .append(d.runs()).append("</td><td class=n>").append(d.succeeded()).append("</td><td class=n>")
                    .append(pct(d.successRate())).append("</td><td class=n>").append(Sizes.bytes(d.bytes()))
                    .append("</td></tr>\n");
        }
        out.append("</table>\n<h2>Restore drills</h2>\n");
        if (r.drills().isEmpty()) {
            out.append("<p>No drill ran this month.</p>\n");
        } else {
            out.append("<table><tr><th>date</th><th>source</th><th>result</th><th>restore time</th></tr>\n");
            r.drills().forEach(d -> out.append("<tr><td>").append(d.date()).append("</td><td>").append(esc(d.source()))
                    .append("</td><td").append(d.status().equals("SUCCEEDED") ? "" : " class=bad").append(">")
                    .append(d.status()).append("</td><td class=n>").append(Sizes.millis(d.restoreMillis()))
                    .append("</td></tr>\n"));
            out.append("</table>\n<figure>").append(SvgCharts.bars("drills", "Restore time per drill (s)",
                            r.drills().stream().map(d -> d.source() + " " + d.date().getDayOfMonth()).toList(),
                            r.drills().stream().map(d -> d.restoreMillis() / 1000.0).toList()))
                    .append("<figcaption>Measured restore times</figcaption></figure>\n");
        }
        out.append("<h2>Alerts</h2>\n");
        if (r.alerts().isEmpty()) {
            out.append("<p>No alert this month.</p>\n");
        } else {
            out.append("<table><tr><th>opened</th><th>cleared</th><th>severity</th><th>alert</th></tr>\n");
            r.alerts().forEach(a -> out.append("<tr><td>").append(a.opened()).append("</td><td>")
                    .append(a.cleared() == null ? "open" : a.cleared()).append("</td><td>").append(esc(a.severity()))
                    .append("</td><td>").append(esc(a.message())).append("</td></tr>\n"));
            out.append("</table>\n");
        }
        return out.append("</body></html>\n").toString();
    }

    private static String savings(MonthlyReport r) {
        if (r.bytesRead() == 0) {
            return "";
        }
        return String.format(Locale.ROOT, " (%.1f%% saved)", 100.0 - r.bytesStored() * 100.0 / r.bytesRead());
    }

    private static double mib(long bytes) {
        return Math.round(bytes * 100.0 / (1 << 20)) / 100.0;
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", v);
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
