package io.restorekit.retention;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A repository's retention: its policy, overrides per source and per tag (a tag override wins
 * over a source override), and legal minimum ages per source that no policy can shorten.
 *
 * @param sources       policy by source name
 * @param tags          policy by tag, in precedence order (the first tag of a snapshot found here applies)
 * @param legalMinimums minimum age by source name: younger snapshots are never removed
 */
public record RetentionPolicy(Policy policy, Map<String, Policy> sources, Map<String, Policy> tags,
                              Map<String, Age> legalMinimums) {
    /** Snapshots with this tag are never removed, whatever the policy says. */
    public static final String LEGAL_HOLD = "legal-hold";

    public RetentionPolicy {
        sources = Map.copyOf(sources);
        tags = new LinkedHashMap<>(tags);
        legalMinimums = Map.copyOf(legalMinimums);
    }

    public static RetentionPolicy of(Policy policy) {
        return new RetentionPolicy(policy, Map.of(), Map.of(), Map.of());
    }

    /** The policy that applies to a snapshot of {@code source} with {@code snapshotTags}, and what it is called. */
    public Choice choose(String source, List<String> snapshotTags) {
        for (Map.Entry<String, Policy> t : tags.entrySet()) {
            if (snapshotTags.contains(t.getKey())) {
                return new Choice("tag " + t.getKey(), t.getValue());
            }
        }
        Policy p = sources.get(source);
        return p != null ? new Choice("source " + source, p) : new Choice("repository", policy);
    }

    /** A chosen policy and where it comes from ({@code repository}, {@code source NAME}, {@code tag NAME}). */
    public record Choice(String name, Policy policy) {
    }

    /** Whether nothing would ever be removed. */
    public boolean keepsAll() {
        return policy.keepsAll() && sources.values().stream().allMatch(Policy::keepsAll)
                && tags.values().stream().allMatch(Policy::keepsAll);
    }
}
