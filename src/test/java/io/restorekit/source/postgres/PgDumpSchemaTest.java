package io.restorekit.source.postgres;

import io.restorekit.source.postgres.DatabaseManifest.Ddl;
import io.restorekit.source.postgres.DatabaseManifest.Phase;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PgDumpSchemaTest {
    private static final String SCRIPT = """
            --
            -- PostgreSQL database dump
            --

            \\restrict abcDEF123

            SET statement_timeout = 0;
            SELECT pg_catalog.set_config('search_path', '', false);

            --
            -- Name: app; Type: SCHEMA; Schema: -; Owner: -
            --

            CREATE SCHEMA app;


            --
            -- Name: btree_gist; Type: EXTENSION; Schema: -; Owner: -
            --

            CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;


            SET default_table_access_method = heap;

            --
            -- Name: Invoices; Type: TABLE; Schema: app; Owner: -
            --

            CREATE TABLE app."Invoices" (
                id bigint NOT NULL,
                note text DEFAULT 'a -- not a comment'::text
            );


            --
            -- Name: Invoices id; Type: DEFAULT; Schema: app; Owner: -
            --

            ALTER TABLE ONLY app."Invoices" ALTER COLUMN id SET DEFAULT nextval('app.s'::regclass);


            --
            -- Name: Invoices Invoices_pkey; Type: CONSTRAINT; Schema: app; Owner: -
            --

            ALTER TABLE ONLY app."Invoices"
                ADD CONSTRAINT "Invoices_pkey" PRIMARY KEY (id);


            --
            -- Name: by_note; Type: INDEX; Schema: app; Owner: -
            --

            CREATE INDEX by_note ON app."Invoices" USING btree (note);


            --
            -- Name: items items_invoice_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
            --

            ALTER TABLE ONLY app.items
                ADD CONSTRAINT items_invoice_fkey FOREIGN KEY (invoice) REFERENCES app."Invoices"(id);


            --
            -- Name: items stamp; Type: TRIGGER; Schema: app; Owner: -
            --

            CREATE TRIGGER stamp BEFORE UPDATE ON app.items FOR EACH ROW EXECUTE FUNCTION app.stamp();


            --
            -- Name: TABLE "Invoices"; Type: COMMENT; Schema: app; Owner: -
            --

            COMMENT ON TABLE app."Invoices" IS 'bills';


            --
            -- PostgreSQL database dump complete
            --

            \\unrestrict abcDEF123

            """;

    @Test
    void pgDumpEntriesBecomeRestorePhasesInTheirOrderWithTheBuiltInReadersNames() {
        List<Ddl> ddl = PgDumpSchema.split(SCRIPT);

        assertThat(ddl).extracting(Ddl::phase).containsExactly(Phase.SCHEMAS, Phase.EXTENSIONS, Phase.TABLES,
                Phase.TABLES, Phase.CONSTRAINTS, Phase.INDEXES, Phase.FOREIGN_KEYS, Phase.TRIGGERS, Phase.COMMENTS);
        assertThat(ddl).extracting(Ddl::object).containsExactly("schema app", "extension btree_gist",
                "table app.Invoices", "table app.Invoices", "constraint Invoices_pkey on app.Invoices",
                "index app.by_note", "constraint items_invoice_fkey on app.items",
                "trigger stamp on app.items", "comment on TABLE \"Invoices\" in app");
        assertThat(ddl.get(1).sql()).isEqualTo("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;\n\n\n"
                + "SET default_table_access_method = heap;");
        assertThat(ddl.get(2).sql()).contains("'a -- not a comment'").doesNotContain("\\restrict");
        assertThat(ddl).noneMatch(d -> d.sql().contains("set_config") || d.sql().contains("restrict"));
    }

    @Test
    void typesOutsideTheKnownSectionsGoBeforeTheData() {
        assertThat(PgDumpSchema.phaseOf("AGGREGATE")).isEqualTo(Phase.TABLES);
        assertThat(PgDumpSchema.phaseOf("MATERIALIZED VIEW")).isEqualTo(Phase.TABLES);
        assertThat(PgDumpSchema.phaseOf("POLICY")).isEqualTo(Phase.TRIGGERS);
        assertThat(PgDumpSchema.phaseOf("INDEX ATTACH")).isEqualTo(Phase.FOREIGN_KEYS);
    }
}
