package io.restorekit.retention;

import java.time.Instant;
import java.util.List;

/**
 * The planner's answer: one decision per snapshot, by source and then oldest first.
 *
 * @param now the moment the plan was made for
 */
public record RetentionPlan(Instant now, String zone, List<Decision> decisions) {
    public RetentionPlan {
        decisions = List.copyOf(decisions);
    }

    /**
     * @param policy  which policy applied ({@code repository}, {@code source NAME}, {@code tag NAME})
     * @param reasons why it is kept (empty when it is removed)
     * @param expires when the rules that keep it would let it go at the earliest, if newer snapshots keep
     *                coming: the latest of its time plus each keeping rule's span ({@code daily 30}: 30 days;
     *                {@code keep-within 30d}; a legal minimum); {@code now} for keep-last alone; null when it is
     *                removed or only a legal hold, keep-tag or drill keeps it (no end is known)
     */
    public record Decision(SnapshotRef snapshot, boolean keep, String policy, List<String> reasons,
                           Instant expires) {
        public Decision {
            reasons = List.copyOf(reasons);
        }
    }

    public List<Decision> kept() {
        return decisions.stream().filter(Decision::keep).toList();
    }

    public List<Decision> removed() {
        return decisions.stream().filter(d -> !d.keep()).toList();
    }
}
