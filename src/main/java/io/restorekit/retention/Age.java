package io.restorekit.retention;

import io.restorekit.common.BadInputException;

import java.time.ZonedDateTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A calendar age such as {@code 30d}, {@code 5y} or {@code 1y6m}: years, months ({@code m}),
 * weeks, days and hours, counted back on the calendar of the planner's time zone.
 */
public record Age(int years, int months, int weeks, int days, int hours) {
    private static final Pattern PART = Pattern.compile("(\\d{1,6})([ymwdh])");

    public static final Age NONE = new Age(0, 0, 0, 0, 0);

    /** Parses {@code 30d}, {@code 5y}, {@code 1y6m}, {@code 12h}; {@link BadInputException} otherwise. */
    public static Age parse(String text) {
        String s = text == null ? "" : text.strip().replace(" ", "");
        Matcher m = PART.matcher(s);
        int[] v = new int[5];
        int at = 0;
        while (at < s.length() && m.find(at) && m.start() == at) {
            int n = Integer.parseInt(m.group(1));
            v["ymwdh".indexOf(m.group(2).charAt(0))] += n;
            at = m.end();
        }
        if (s.isEmpty() || at != s.length()) {
            throw new BadInputException("'" + text + "' is not an age; write it like 30d, 12h, 8w, 6m (months) or 5y,"
                    + " or combined like 1y6m");
        }
        return new Age(v[0], v[1], v[2], v[3], v[4]);
    }

    public boolean isNone() {
        return equals(NONE);
    }

    /** The moment this age before {@code now}. */
    public ZonedDateTime before(ZonedDateTime now) {
        return now.minusYears(years).minusMonths(months).minusWeeks(weeks).minusDays(days).minusHours(hours);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        append(b, years, 'y');
        append(b, months, 'm');
        append(b, weeks, 'w');
        append(b, days, 'd');
        append(b, hours, 'h');
        return b.isEmpty() ? "0d" : b.toString();
    }

    private static void append(StringBuilder b, int n, char unit) {
        if (n > 0) {
            b.append(n).append(unit);
        }
    }
}
