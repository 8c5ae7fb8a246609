package io.restorekit.retention;

import java.util.List;

/**
 * The rules of one retention policy; 0 (or {@link Age#NONE}, or no tags) means "no such rule".
 * A snapshot is kept when any rule keeps it.
 *
 * @param keepLast   the newest N snapshots
 * @param hourly     the newest snapshot of each of the last N hours that have snapshots (likewise daily, ...)
 * @param keepWithin every snapshot younger than this
 * @param keepTags   every snapshot carrying one of these tags
 */
public record Policy(int keepLast, int hourly, int daily, int weekly, int monthly, int yearly, Age keepWithin,
                     List<String> keepTags) {
    public static final Policy KEEP_ALL = new Policy(0, 0, 0, 0, 0, 0, Age.NONE, List.of());

    public Policy {
        keepWithin = keepWithin == null ? Age.NONE : keepWithin;
        keepTags = keepTags == null ? List.of() : List.copyOf(keepTags);
    }

    /** No rule at all: such a policy keeps every snapshot rather than none. */
    public boolean keepsAll() {
        return keepLast == 0 && hourly == 0 && daily == 0 && weekly == 0 && monthly == 0 && yearly == 0
                && keepWithin.isNone() && keepTags.isEmpty();
    }
}
