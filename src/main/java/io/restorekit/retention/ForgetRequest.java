package io.restorekit.retention;

import java.time.ZoneId;

/**
 * One forget run.
 *
 * @param zone the calendar that hours, days, weeks, months and years are counted in
 */
public record ForgetRequest(RetentionPolicy policy, boolean dryRun, ZoneId zone) {
}
