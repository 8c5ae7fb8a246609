package io.restorekit.shell;

import io.restorekit.common.BadInputException;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Times as operators type them ({@code --at}, {@code --time}) and as listings show them (local zone). */
public final class Times {
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private Times() {
    }

    /** {@code 2026-11-21 15:00:12} in the local zone. */
    public static String local(Instant instant) {
        return instant == null ? "" : LOCAL.withZone(ZoneId.systemDefault()).format(instant);
    }

    /**
     * A moment for {@code --at}: an ISO date or date-time in {@code zone} ({@code 2026-11-21},
     * {@code 2026-11-21T15:00}, {@code 2026-11-21 15:00:30}), one with an offset
     * ({@code 2026-11-21T15:00Z}), or {@code today} / {@code yesterday}. A date alone means the
     * end of that day, so that snapshots taken during it count.
     */
    public static Instant endOf(String text, Clock clock, ZoneId zone) {
        return parse(text, clock, zone, true);
    }

    /** A moment for {@code --time}; like {@link #endOf} but a date alone means its start. */
    public static Instant startOf(String text, Clock clock, ZoneId zone) {
        return parse(text, clock, zone, false);
    }

    private static Instant parse(String text, Clock clock, ZoneId zone, boolean endOfDay) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        LocalDate date = switch (t) {
            case "today" -> LocalDate.now(clock.withZone(zone));
            case "yesterday" -> LocalDate.now(clock.withZone(zone)).minusDays(1);
            default -> null;
        };
        try {
            if (date == null && t.length() == 10) {
                date = LocalDate.parse(t);
            }
            if (date != null) {
                return endOfDay ? date.plusDays(1).atStartOfDay(zone).toInstant().minusNanos(1)
                        : date.atStartOfDay(zone).toInstant();
            }
            String iso = t.replace(' ', 't').toUpperCase(Locale.ROOT);
            if (iso.endsWith("Z") || iso.matches(".*T.*[+-]\\d\\d:?\\d\\d$")) {
                return OffsetDateTime.parse(iso).toInstant();
            }
            return LocalDateTime.parse(iso).atZone(zone).toInstant();
        } catch (DateTimeParseException e) {
            throw new BadInputException("invalid time '" + text + "'; expected a date (2026-11-21), a date and time"
                    + " (2026-11-21T15:00) in the local zone, 'today' or 'yesterday'");
        }
    }
}
