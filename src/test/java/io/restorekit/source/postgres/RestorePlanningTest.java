package io.restorekit.source.postgres;

import io.restorekit.source.postgres.DatabaseManifest.Ddl;
import io.restorekit.source.postgres.DatabaseManifest.Phase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pieces that plan a restore's builds and a backup's row deltas: which table a constraint or
 * index statement builds on, and the compact map of a table's base rows.
 */
class RestorePlanningTest {
    @Test
    void aStatementNamesTheTableItBuildsOn() {
        assertThat(TableBuilds.tableOf("ALTER TABLE ONLY public.companies\n    ADD CONSTRAINT companies_pkey"
                + " PRIMARY KEY (tenant_id, company_id);")).isEqualTo("public.companies");
        assertThat(TableBuilds.tableOf("ALTER TABLE \"Odd \"\"Schema\".\"Mixed.Name\" ADD CONSTRAINT c CHECK (x > 0)"))
                .isEqualTo("Odd \"Schema.Mixed.Name");
        assertThat(TableBuilds.tableOf("CREATE UNIQUE INDEX users_email_idx ON public.users USING btree (email);"))
                .isEqualTo("public.users");
        assertThat(TableBuilds.tableOf("CREATE INDEX \"Idx\" ON ONLY app.\"Parts\" USING btree (a)"))
                .isEqualTo("app.Parts");
        assertThat(TableBuilds.tableOf("create index if not exists i on S.T (a)")).isEqualTo("s.t");
        assertThat(TableBuilds.tableOf("CREATE INDEX i ON t (a)")).isNull();
        assertThat(TableBuilds.tableOf("ALTER TABLEX public.t ADD CHECK (true)")).isNull();
        assertThat(TableBuilds.tableOf("COMMENT ON INDEX public.i IS 'x'")).isNull();
    }

    @Test
    void buildsOfLoadedPlainTablesComeEarlyTheRestLater() {
        Ddl pk = new Ddl(Phase.CONSTRAINTS, "constraint a_pkey on public.a", "ALTER TABLE public.a ADD CONSTRAINT"
                + " a_pkey PRIMARY KEY (id)");
        Ddl partPk = new Ddl(Phase.CONSTRAINTS, "constraint p_pkey on public.p", "ALTER TABLE public.p ADD CONSTRAINT"
                + " p_pkey PRIMARY KEY (id)");
        Ddl index = new Ddl(Phase.INDEXES, "index public.a_x", "CREATE INDEX a_x ON public.a USING btree (x)");
        Ddl cluster = new Ddl(Phase.INDEXES, "index public.a_x", "ALTER TABLE public.a CLUSTER ON a_x");
        Ddl unloaded = new Ddl(Phase.INDEXES, "index public.b_x", "CREATE INDEX b_x ON public.b USING btree (x)");
        Ddl odd = new Ddl(Phase.INDEXES, "index public.c_x", "CREATE INDEX c_x ON c USING btree (x)");

        TableBuilds builds = TableBuilds.of(List.of(pk, partPk), List.of(index, cluster, unloaded, odd),
                Set.of("public.a", "public.p"), Set.of("public.p"));

        assertThat(builds.early()).containsOnlyKeys("public.a");
        assertThat(builds.early().get("public.a")).containsExactly(pk, index, cluster);
        assertThat(builds.later()).containsExactly(partPk, unloaded, odd);
    }

    @Test
    void foreignKeysBetweenPlainLoadedTablesAreCheckedAlongsideTheBuilds() {
        Ddl pk = new Ddl(Phase.CONSTRAINTS, "constraint a_pkey on public.a", "ALTER TABLE public.a ADD CONSTRAINT"
                + " a_pkey PRIMARY KEY (id)");
        Ddl fk = new Ddl(Phase.FOREIGN_KEYS, "constraint b_a_fkey on public.b", "ALTER TABLE ONLY public.b\n"
                + "    ADD CONSTRAINT b_a_fkey FOREIGN KEY (tenant_id, a_id) REFERENCES public.a(tenant_id, id);");
        Ddl toParent = new Ddl(Phase.FOREIGN_KEYS, "constraint b_p_fkey on public.b", "ALTER TABLE public.b ADD"
                + " CONSTRAINT b_p_fkey FOREIGN KEY (p) REFERENCES public.p (id)");
        Ddl notValid = new Ddl(Phase.FOREIGN_KEYS, "constraint b_c_fkey on public.b", "ALTER TABLE public.b ADD"
                + " CONSTRAINT b_c_fkey FOREIGN KEY (c) REFERENCES public.a (id) NOT VALID");
        assertThat(TableBuilds.referencedBy(fk.sql())).isEqualTo("public.a");

        TableBuilds builds = TableBuilds.of(List.of(pk), List.of(), List.of(fk, toParent, notValid),
                Set.of("public.a", "public.b", "public.p"), Set.of("public.p"));
        assertThat(builds.earlyKeys()).containsExactly(new TableBuilds.ForeignKey("public.b", "public.a", fk));
        assertThat(builds.laterKeys()).containsExactly(toParent, notValid);

        // A statement left for afterwards might build the unique index a key needs: all keys wait.
        Ddl odd = new Ddl(Phase.INDEXES, "index public.a_x", "CREATE UNIQUE INDEX a_x ON a (x)");
        assertThat(TableBuilds.of(List.of(pk), List.of(odd), List.of(fk), Set.of("public.a", "public.b"), Set.of())
                .earlyKeys()).isEmpty();

        assertThat(PostgresRestore.validation(fk.sql())).containsExactly(
                "ALTER TABLE ONLY public.b\n    ADD CONSTRAINT b_a_fkey FOREIGN KEY (tenant_id, a_id) REFERENCES"
                        + " public.a(tenant_id, id) NOT VALID",
                "ALTER TABLE ONLY public.b\n    VALIDATE CONSTRAINT b_a_fkey");
        assertThat(PostgresRestore.validation(notValid.sql())).isNull();
    }

    @Test
    void theBaseMapFindsEveryRowAndReportsTheUnseen(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cache");
        Random random = new Random(7);
        Map<Long, Long> rows = new HashMap<>();
        byte[] id = DeltaCache.sha("base");
        byte[] fp = DeltaCache.sha("fingerprint");
        try (DeltaCache.Writer w = new DeltaCache.Writer(file)) {
            while (rows.size() < 10_000) {
                long key = random.nextLong();
                if (key != 0 && rows.putIfAbsent(key, random.nextLong()) == null) {
                    w.add(key, rows.get(key));
                }
            }
            w.commit(id, fp, 123_456);
        }
        AtomicLong free = new AtomicLong(1 << 20);
        DeltaCache.Base base = DeltaCache.load(file, id, fp, free);
        assertThat(base).isNotNull();
        assertThat(base.rows()).isEqualTo(10_000);
        assertThat(base.bytes()).isEqualTo(123_456);
        assertThat(free.get()).isEqualTo((1 << 20) - DeltaCache.Base.footprint(10_000));
        List<Long> keys = List.copyOf(rows.keySet());
        for (int i = 0; i < keys.size(); i++) {
            int slot = base.find(keys.get(i));
            assertThat(slot).isNotNegative();
            assertThat(base.value(slot)).isEqualTo(rows.get(keys.get(i)));
            if (i % 10 != 0) {
                assertThat(base.markSeen(slot)).isTrue();
                assertThat(base.markSeen(slot)).isFalse();
            }
        }
        assertThat(base.find(42)).isEqualTo(rows.containsKey(42L) ? base.find(42) : -1);
        DeltaCache.LongList unseen = new DeltaCache.LongList();
        base.unseen(unseen);
        long[] expected = new long[1000];
        for (int i = 0; i < 1000; i++) {
            expected[i] = keys.get(i * 10);
        }
        java.util.Arrays.sort(expected);
        assertThat(unseen.sorted()).containsExactly(expected);
        base.close();
        assertThat(free.get()).isEqualTo(1 << 20);

        // Without room for the map the base is not loaded (the table is then dumped whole).
        assertThat(DeltaCache.load(file, id, fp, new AtomicLong(1000))).isNull();
        // Another base's cache is not used.
        assertThat(DeltaCache.load(file, DeltaCache.sha("other"), fp, free)).isNull();
        assertThat(free.get()).isEqualTo(1 << 20);
    }

    @Test
    void twoBaseRowsSharingAKeyHashLeaveTheCacheUnused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cache");
        byte[] id = DeltaCache.sha("base");
        byte[] fp = DeltaCache.sha("fingerprint");
        try (DeltaCache.Writer w = new DeltaCache.Writer(file)) {
            for (long k = 1; k <= 100; k++) {
                w.add(k * 0x9E3779B97F4A7C15L, k);
            }
            w.add(17 * 0x9E3779B97F4A7C15L, 5);
            w.commit(id, fp, 10);
        }
        AtomicLong free = new AtomicLong(1 << 20);
        assertThat(DeltaCache.load(file, id, fp, free)).isNull();
        assertThat(free.get()).isEqualTo(1 << 20);
    }
}
