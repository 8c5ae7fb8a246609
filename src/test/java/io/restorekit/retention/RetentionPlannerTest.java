package io.restorekit.retention;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The retention planner")
class RetentionPlannerTest {
    static final ZoneId UTC = ZoneOffset.UTC;
    static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    /** keep-last 2, daily 7, weekly 4, monthly 6, yearly 2. */
    static final Policy GFS = new Policy(2, 0, 7, 4, 6, 2, Age.NONE, List.of());

    /**
     * The GFS set worked out by hand for daily snapshots at 03:00 UTC from 2025-10-18 to 2026-11-21
     * (a Saturday; ISO week 47 runs from Monday 11-16): last 2 = 11-21, 11-20; daily 7 = 11-21..11-15;
     * weekly 4 = newest of weeks 47, 46, 45, 44 = 11-21, 11-15 (Sunday), 11-08, 11-01; monthly 6 =
     * 11-21, 10-31, 09-30, 08-31, 07-31, 06-30; yearly 2 = 11-21, 2025-12-31. Never removed on top:
     * the legal-hold snapshot of 2026-02-14 and the newest drilled one (03-10, not 01-05).
     */
    static final List<String> HAND_KEPT = List.of(
            "2025-12-31", "2026-02-14", "2026-03-10", "2026-06-30", "2026-07-31",
            "2026-08-31", "2026-09-30", "2026-10-31", "2026-11-01", "2026-11-08", "2026-11-15", "2026-11-16",
            "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21");

    /** 400 daily snapshots of "uploads", ids s000 (oldest) to s399. */
    static List<SnapshotRef> fourHundredDays() {
        List<SnapshotRef> out = new ArrayList<>();
        LocalDate first = LocalDate.of(2026, 11, 21).minusDays(399);
        for (int i = 0; i < 400; i++) {
            LocalDate day = first.plusDays(i);
            List<String> tags = day.equals(LocalDate.of(2026, 2, 14)) ? List.of("legal-hold") : List.of("daily");
            out.add(new SnapshotRef(String.format("s%03d", i), "uploads", day.atTime(3, 0).toInstant(ZoneOffset.UTC),
                    tags));
        }
        return out;
    }

    static String id(List<SnapshotRef> all, String date) {
        return all.stream().filter(s -> s.time().atZone(UTC).toLocalDate().toString().equals(date)).findFirst()
                .orElseThrow().id();
    }

    static List<String> keptDays(RetentionPlan plan) {
        return plan.kept().stream().map(d -> d.snapshot().time().atZone(UTC).toLocalDate().toString()).sorted().toList();
    }

    static String golden(String name) throws IOException {
        return Files.readString(Path.of("src/test/resources/retention", name), StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("keeps exactly the hand-computed GFS set of 400 daily snapshots, with the reasons of the golden file")
    void fourHundredDailySnapshots() throws IOException {
        List<SnapshotRef> all = fourHundredDays();
        Set<String> drilled = Set.of(id(all, "2026-01-05"), id(all, "2026-03-10"));
        RetentionPlan plan = RetentionPlanner.plan(all, RetentionPolicy.of(GFS), drilled, NOW, UTC);

        assertThat(keptDays(plan)).containsExactlyElementsOf(HAND_KEPT);
        assertThat(plan.removed()).hasSize(400 - HAND_KEPT.size());
        String rendered = RetentionPlanner.render(plan, false);
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(Path.of("src/test/resources/retention/gfs-400-daily.txt"), rendered);
        }
        assertThat(rendered).isEqualTo(golden("gfs-400-daily.txt"));
    }

    @Test
    @DisplayName("is a pure function: the input order does not matter")
    void orderIndependent() {
        List<SnapshotRef> all = new ArrayList<>(fourHundredDays());
        RetentionPlan a = RetentionPlanner.plan(all, RetentionPolicy.of(GFS), Set.of(), NOW, UTC);
        java.util.Collections.reverse(all);
        RetentionPlan b = RetentionPlanner.plan(all, RetentionPolicy.of(GFS), Set.of(), NOW, UTC);
        assertThat(b).isEqualTo(a);
    }

    @Nested
    @DisplayName("never removes")
    class Guarantees {
        @Test
        @DisplayName("the last keep-last snapshots even when everything is older than keep-within")
        void keepLastWhenAllOld() {
            List<SnapshotRef> old = fourHundredDays().subList(0, 10);
            Policy p = new Policy(3, 0, 0, 0, 0, 0, Age.parse("30d"), List.of());
            RetentionPlan plan = RetentionPlanner.plan(old, RetentionPolicy.of(p), Set.of(), NOW, UTC);
            assertThat(plan.kept()).extracting(d -> d.snapshot().id()).containsExactly("s007", "s008", "s009");
            assertThat(plan.kept().get(2).reasons()).containsExactly("last 1 of 3");
        }

        @Test
        @DisplayName("snapshots younger than their source's legal minimum, whatever the policy")
        void legalMinimum() {
            List<SnapshotRef> all = new ArrayList<>(fourHundredDays());
            all.add(new SnapshotRef("acc1", "accounting", Instant.parse("2022-01-10T00:00:00Z"), List.of()));
            all.add(new SnapshotRef("acc2", "accounting", Instant.parse("2021-11-01T00:00:00Z"), List.of()));
            all.add(new SnapshotRef("acc3", "accounting", Instant.parse("2026-11-01T00:00:00Z"), List.of()));
            RetentionPolicy r = new RetentionPolicy(new Policy(1, 0, 0, 0, 0, 0, Age.NONE, List.of()), Map.of(),
                    Map.of(), Map.of("accounting", Age.parse("5y")));
            RetentionPlan plan = RetentionPlanner.plan(all, r, Set.of(), NOW, UTC);
            assertThat(plan.decisions()).filteredOn(d -> d.snapshot().source().equals("accounting"))
                    .extracting(d -> d.snapshot().id() + ":" + d.keep() + ":" + d.reasons())
                    .containsExactly("acc2:false:[]", "acc1:true:[legal minimum 5y]",
                            "acc3:true:[last 1 of 1, legal minimum 5y]");
        }
    }

    @Test
    @DisplayName("applies per-source and per-tag overrides, a tag winning over the source; keep-within counts back from now")
    void overrides() {
        List<SnapshotRef> all = new ArrayList<>();
        for (int h = 0; h < 48; h++) {
            all.add(new SnapshotRef(String.format("c%02d", h), "cctv", NOW.minusSeconds(3600L * h + 60), List.of()));
        }
        all.add(new SnapshotRef("m1", "cctv", NOW.minusSeconds(86400L * 40), List.of("month-end")));
        all.add(new SnapshotRef("m0", "cctv", NOW.minusSeconds(86400L * 41), List.of()));
        RetentionPolicy r = new RetentionPolicy(new Policy(1, 0, 0, 0, 0, 0, Age.NONE, List.of()),
                Map.of("cctv", new Policy(0, 6, 0, 0, 0, 0, Age.parse("1d"), List.of())),
                Map.of("month-end", new Policy(0, 0, 0, 0, 12, 0, Age.NONE, List.of())), Map.of());
        RetentionPlan plan = RetentionPlanner.plan(all, r, Set.of(), NOW, UTC);
        List<String> kept = plan.kept().stream().map(d -> d.snapshot().id()).sorted().toList();
        // within 1d: c00..c23 (hourly 6 adds nothing new); the month-end snapshot by its tag's policy; m0 goes.
        assertThat(kept).hasSize(25).contains("c00", "c23", "m1").doesNotContain("c24", "m0");
        assertThat(plan.decisions()).filteredOn(d -> d.snapshot().id().equals("m1")).singleElement()
                .satisfies(d -> {
                    assertThat(d.policy()).isEqualTo("tag month-end");
                    assertThat(d.reasons()).containsExactly("monthly 2026-10");
                });
    }

    @Test
    @DisplayName("parses ages like 30d, 5y and 1y6m, and refuses others")
    void ages() {
        assertThat(Age.parse("1y6m").toString()).isEqualTo("1y6m");
        assertThat(Age.parse("30d").before(NOW.atZone(UTC)).toLocalDate()).isEqualTo(LocalDate.of(2026, 10, 23));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Age.parse("30 days"))
                .hasMessageContaining("not an age");
    }
}
