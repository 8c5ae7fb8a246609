package io.restorekit.retention;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The retention decision as a pure function of (snapshots, policy, snapshots that passed a drill,
 * now, time zone): nothing is read or written, so the same input always gives the same plan.
 *
 * <p>Snapshots are grouped by source and by the policy that applies to them. Within a group,
 * newest first, {@code keep-last N} keeps the first N; {@code hourly/daily/weekly/monthly/yearly N}
 * keep the newest snapshot of each of the N most recent hours/days/ISO weeks/months/years that have
 * a snapshot; {@code keep-within} keeps every snapshot younger than that age; {@code keep-tag} every
 * snapshot with one of the tags. Whatever the policy, these are never removed: snapshots tagged
 * {@value RetentionPolicy#LEGAL_HOLD}, snapshots younger than their source's legal minimum, and the
 * newest snapshot of each source that passed a drill.
 */
public final class RetentionPlanner {
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd");
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy-MM");
    private static final DateTimeFormatter YEAR = DateTimeFormatter.ofPattern("yyyy");

    private RetentionPlanner() {
    }

    private record Bucket(String rule, int count, Function<ZonedDateTime, String> key,
                          Function<ZonedDateTime, ZonedDateTime> span) {
    }

    public static RetentionPlan plan(Collection<SnapshotRef> snapshots, RetentionPolicy retention,
                                     Set<String> drilled, Instant now, ZoneId zone) {
        ZonedDateTime at = now.atZone(zone);
        Comparator<SnapshotRef> newestFirst = Comparator.comparing(SnapshotRef::time).reversed()
                .thenComparing(SnapshotRef::id);
        Map<String, List<String>> reasons = new HashMap<>();
        Map<String, String> policyOf = new HashMap<>();
        Map<String, Instant> expires = new HashMap<>();
        Map<String, List<SnapshotRef>> groups = new TreeMap<>();
        Map<String, List<SnapshotRef>> bySource = new TreeMap<>();
        for (SnapshotRef s : snapshots) {
            RetentionPolicy.Choice choice = retention.choose(s.source(), s.tags());
            policyOf.put(s.id(), choice.name());
            reasons.put(s.id(), new ArrayList<>());
            groups.computeIfAbsent(s.source() + "\n" + choice.name(), k -> new ArrayList<>()).add(s);
            bySource.computeIfAbsent(s.source(), k -> new ArrayList<>()).add(s);
        }
        for (List<SnapshotRef> group : groups.values()) {
            group.sort(newestFirst);
            SnapshotRef first = group.get(0);
            Policy p = retention.choose(first.source(), first.tags()).policy();
            if (p.keepsAll()) {
                group.forEach(s -> reasons.get(s.id()).add("no rule: every snapshot kept"));
                continue;
            }
            for (int i = 0; i < Math.min(p.keepLast(), group.size()); i++) {
                reasons.get(group.get(i).id()).add("last " + (i + 1) + " of " + p.keepLast());
                expires.merge(group.get(i).id(), now, RetentionPlanner::later);
            }
            List<Bucket> buckets = List.of(
                    new Bucket("hourly", p.hourly(), t -> HOUR.format(t), t -> t.plusHours(p.hourly())),
                    new Bucket("daily", p.daily(), t -> DAY.format(t), t -> t.plusDays(p.daily())),
                    new Bucket("weekly", p.weekly(), t -> t.get(IsoFields.WEEK_BASED_YEAR) + "-W"
                            + String.format("%02d", t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR)),
                            t -> t.plusWeeks(p.weekly())),
                    new Bucket("monthly", p.monthly(), t -> MONTH.format(t), t -> t.plusMonths(p.monthly())),
                    new Bucket("yearly", p.yearly(), t -> YEAR.format(t), t -> t.plusYears(p.yearly())));
            for (Bucket b : buckets) {
                int left = b.count();
                String last = null;
                for (SnapshotRef s : group) {
                    if (left == 0) {
                        break;
                    }
                    String key = b.key().apply(s.time().atZone(zone));
                    if (!key.equals(last)) {
                        reasons.get(s.id()).add(b.rule() + " " + key);
                        expires.merge(s.id(), b.span().apply(s.time().atZone(zone)).toInstant(), RetentionPlanner::later);
                        last = key;
                        left--;
                    }
                }
            }
            if (!p.keepWithin().isNone()) {
                Instant cutoff = p.keepWithin().before(at).toInstant();
                for (SnapshotRef s : group) {
                    if (s.time().isAfter(cutoff)) {
                        reasons.get(s.id()).add("within " + p.keepWithin());
                        expires.merge(s.id(), plus(s.time(), p.keepWithin(), zone), RetentionPlanner::later);
                    }
                }
            }
            for (SnapshotRef s : group) {
                for (String tag : p.keepTags()) {
                    if (s.tags().contains(tag) && !tag.equals(RetentionPolicy.LEGAL_HOLD)) {
                        reasons.get(s.id()).add("tag " + tag);
                    }
                }
            }
        }
        // The guarantees no policy can take away.
        for (List<SnapshotRef> ofSource : bySource.values()) {
            ofSource.sort(newestFirst);
            String source = ofSource.get(0).source();
            Age minimum = retention.legalMinimums().get(source);
            Instant legalCutoff = minimum == null ? null : minimum.before(at).toInstant();
            boolean drillKept = false;
            for (SnapshotRef s : ofSource) {
                if (s.tags().contains(RetentionPolicy.LEGAL_HOLD)) {
                    reasons.get(s.id()).add("tag " + RetentionPolicy.LEGAL_HOLD);
                }
                if (legalCutoff != null && s.time().isAfter(legalCutoff)) {
                    reasons.get(s.id()).add("legal minimum " + minimum);
                    expires.merge(s.id(), plus(s.time(), minimum, zone), RetentionPlanner::later);
                }
                if (!drillKept && drilled.contains(s.id())) {
                    reasons.get(s.id()).add("newest that passed a drill");
                    drillKept = true;
                }
            }
        }
        List<RetentionPlan.Decision> decisions = new ArrayList<>();
        for (List<SnapshotRef> ofSource : bySource.values()) {
            List<SnapshotRef> oldestFirst = new ArrayList<>(ofSource);
            oldestFirst.sort(newestFirst.reversed());
            for (SnapshotRef s : oldestFirst) {
                List<String> why = reasons.get(s.id());
                decisions.add(new RetentionPlan.Decision(s, !why.isEmpty(), policyOf.get(s.id()), why,
                        why.isEmpty() ? null : expires.get(s.id())));
            }
        }
        return new RetentionPlan(now, zone.getId(), decisions);
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant plus(Instant t, Age age, ZoneId zone) {
        return t.atZone(zone).plusYears(age.years()).plusMonths(age.months()).plusWeeks(age.weeks())
                .plusDays(age.days()).plusHours(age.hours()).toInstant();
    }

    /** The plan as text, one line per snapshot: the form of the golden files and of {@code forget}'s table. */
    public static String render(RetentionPlan plan) {
        return render(plan, true);
    }

    /** As {@link #render(RetentionPlan)}; without ids, for plans over snapshots whose ids vary from run to run. */
    public static String render(RetentionPlan plan, boolean ids) {
        StringBuilder out = new StringBuilder();
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (RetentionPlan.Decision d : plan.decisions()) {
            SnapshotRef s = d.snapshot();
            out.append(s.source()).append(' ').append(DateTimeFormatter.ISO_OFFSET_DATE_TIME
                            .format(s.time().atZone(ZoneId.of(plan.zone()))))
                    .append(ids ? " " + s.shortId() : "").append(' ').append(d.keep() ? "keep  " : "remove")
                    .append(' ').append(d.keep() ? String.join(", ", d.reasons()) : "no rule keeps it")
                    .append('\n');
            counts.computeIfAbsent(s.source(), k -> new int[2])[d.keep() ? 0 : 1]++;
        }
        counts.forEach((source, n) -> out.append(source).append(": keep ").append(n[0]).append(", remove ")
                .append(n[1]).append('\n'));
        return out.toString();
    }
}
