package io.restorekit.daemon;

import io.restorekit.common.BadInputException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Spring cron expressions (six fields, seconds first, as in {@code schedule:}) rewritten for the
 * system schedulers: a crontab line (five fields) and a systemd {@code OnCalendar=} value. The
 * common forms are supported: {@code *}, numbers, lists, ranges, steps, day names, and a
 * {@code DAY#N} weekday (the N-th such day of the month); {@code L} and {@code W} are refused.
 */
public final class CronText {
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
    private static final Map<String, String> SYSTEMD_DAYS = Map.of("SUN", "Sun", "MON", "Mon", "TUE", "Tue",
            "WED", "Wed", "THU", "Thu", "FRI", "Fri", "SAT", "Sat");

    private CronText() {
    }

    /**
     * A crontab schedule and an optional shell guard: cron cannot say "first Sunday", so
     * {@code SUN#1} becomes days 1-7 of the month with a {@code date +%u} test before the command.
     *
     * @param guard a shell condition to prefix with {@code &&}, or null
     */
    public record Crontab(String schedule, String guard) {
    }

    public static Crontab crontab(String cron) {
        String[] f = fields(cron);
        if (!f[0].equals("0")) {
            throw new BadInputException("schedule '" + cron + "' fires at second " + f[0]
                    + "; crontab has minutes at most: use the daemon, or a schedule at second 0");
        }
        String dom = f[3].equals("?") ? "*" : f[3];
        String dow = f[5].equals("?") ? "*" : f[5].toUpperCase(Locale.ROOT);
        String guard = null;
        if (dow.contains("#")) {
            String[] nth = dow.split("#");
            int day = dayNumber(nth[0], cron);
            int n = Integer.parseInt(nth[1]);
            dom = ((n - 1) * 7 + 1) + "-" + (n * 7);
            guard = "[ \"$(date +\\%u)\" = " + (day == 0 ? 7 : day) + " ]";
            dow = "*";
        }
        return new Crontab(String.join(" ", f[1], f[2], dom, f[4], dow), guard);
    }

    /** The systemd calendar event, e.g. {@code Sun *-*-01..07 02:00:00}. */
    public static String onCalendar(String cron) {
        String[] f = fields(cron);
        String dom = f[3].equals("?") ? "*" : f[3];
        String dow = f[5].equals("?") || f[5].equals("*") ? "" : f[5].toUpperCase(Locale.ROOT);
        String days = "";
        if (dow.contains("#")) {
            String[] nth = dow.split("#");
            int n = Integer.parseInt(nth[1]);
            days = SYSTEMD_DAYS.get(DAYS.get(dayNumber(nth[0], cron))) + " ";
            dom = String.format(Locale.ROOT, "%02d..%02d", (n - 1) * 7 + 1, n * 7);
        } else if (!dow.isEmpty()) {
            List<String> parts = new ArrayList<>();
            for (String part : dow.split(",")) {
                String[] range = part.split("-");
                parts.add(range.length == 2 ? systemdDay(range[0], cron) + ".." + systemdDay(range[1], cron)
                        : systemdDay(part, cron));
            }
            days = String.join(",", parts) + " ";
        }
        return days + "*-" + calendar(f[4], "1", cron) + "-" + calendar(dom, "1", cron) + " "
                + calendar(f[2], "0", cron) + ":" + calendar(f[1], "0", cron) + ":" + calendar(f[0], "0", cron);
    }

    private static String[] fields(String cron) {
        String[] f = cron.strip().split("\\s+");
        if (f.length != 6) {
            throw new BadInputException("schedule '" + cron + "' is not a cron expression of six fields (seconds first)");
        }
        for (String field : f) {
            String withoutNames = field.toUpperCase(Locale.ROOT)
                    .replaceAll("SUN|MON|TUE|WED|THU|FRI|SAT|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC", "");
            if (withoutNames.contains("L") || withoutNames.contains("W")) {
                throw new BadInputException("schedule '" + cron + "' uses L or W, which the system schedulers cannot"
                        + " express; use the daemon");
            }
        }
        return f;
    }

    private static String calendar(String field, String start, String cron) {
        if (field.equals("*") || field.equals("?")) {
            return "*";
        }
        if (field.startsWith("*/")) {
            return start + "/" + field.substring(2);
        }
        if (field.matches("\\d")) {
            return "0" + field;
        }
        return field.replace("-", "..");
    }

    private static int dayNumber(String day, String cron) {
        String d = day.toUpperCase(Locale.ROOT);
        if (d.matches("\\d")) {
            return Integer.parseInt(d) % 7;
        }
        int i = DAYS.indexOf(d);
        if (i < 0) {
            throw new BadInputException("schedule '" + cron + "': '" + day + "' is not a day of the week");
        }
        return i;
    }

    private static String systemdDay(String day, String cron) {
        return SYSTEMD_DAYS.get(DAYS.get(dayNumber(day, cron)));
    }
}
