package io.restorekit.shell;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restorekit.config.ConfigLoader;
import io.restorekit.config.PasswordProvider;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.StorageFactory;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.EmbeddedPostgresServer;
import io.restorekit.source.postgres.PgConnect;
import io.restorekit.source.postgres.TableCheck;
import io.restorekit.storage.local.LocalStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code backup}, {@code ls} and {@code restore} of a configured PostgreSQL source, in process,
 * against the shared embedded server, as an operator sees them.
 */
class DatabaseCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "correct horse";

    @TempDir
    Path dir;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    RepositorySession session;

    @BeforeAll
    static void database() throws SQLException {
        EmbeddedPostgresServer.freshDatabase("shop");
        try (Connection c = EmbeddedPostgresServer.connect("shop"); Statement st = c.createStatement()) {
            st.execute("""
                    CREATE TABLE companies (id bigint PRIMARY KEY, tenant_id int NOT NULL, name text NOT NULL);
                    CREATE TABLE invoices (id bigserial PRIMARY KEY, tenant_id int NOT NULL,
                        company_id bigint NOT NULL REFERENCES companies, total numeric(12, 2), note text);
                    CREATE INDEX invoices_tenant ON invoices (tenant_id, id);
                    CREATE TABLE settings (key text PRIMARY KEY, value jsonb);
                    INSERT INTO companies SELECT g, 1 + g % 3, 'company ' || g FROM generate_series(1, 30) g;
                    INSERT INTO invoices (tenant_id, company_id, total, note)
                        SELECT 1 + (g % 30 + 1) % 3, g % 30 + 1, g * 1.25, E'line\\twith tab ' || g
                        FROM generate_series(1, 600) g;
                    INSERT INTO settings VALUES ('theme', '{"dark": true}'), ('empty', NULL);
                    """);
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        Files.writeString(dir.resolve("restorekit.yml"), """
                repository: {url: repo}
                sources:
                  - name: db
                    type: postgres
                    url: "%s"
                    username: postgres
                    password-env: SHOP_PASSWORD
                  - {name: elsewhere, type: postgres, url: "jdbc:postgresql://127.0.0.1:1/app"}
                modules:
                  billing: {tables: [invoices]}
                  payroll: {tables: [invoices, payslips]}
                  docs: {paths: ["*/docs/**"]}
                """.formatted(EmbeddedPostgresServer.url("shop")));
        Repository.init(LocalStorage.create(dir.resolve("repo")), PASSWORD.toCharArray(),
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20)).close();
        Map<String, String> env = Map.of("RK_PASSWORD", PASSWORD, "RK_CONFIG", dir.resolve("restorekit.yml").toString(),
                "RK_HOME", dir.resolve("home").toString());
        session = new RepositorySession(new ConfigLoader(env, dir), new StorageFactory(),
                new PasswordProvider(env, prompt -> null));
    }

    @AfterEach
    void tearDown() {
        session.close();
    }

    Interaction unattended() {
        return Interaction.unattended(new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err);
    }

    Interaction answering(boolean yes) {
        return new Interaction(new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err, false,
                question -> Optional.of(yes));
    }

    String restore(Interaction io, String target, boolean dryRun, boolean yes, boolean json) throws IOException {
        return new RestoreCommand(session, io).restore("db", null, null, null, null, null, target, false, dryRun,
                yes, json, null);
    }

    static String dropped(String name) throws SQLException {
        try (Connection c = EmbeddedPostgresServer.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
        return EmbeddedPostgresServer.url(name);
    }

    static long count(String database, String sql) throws SQLException {
        try (Connection c = EmbeddedPostgresServer.connect(database); Statement st = c.createStatement();
             var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    @DisplayName("backup shows bytes added per table; ls lists tables with rows, sizes and tenants; a second backup adds little")
    void backupAndLs() throws IOException {
        String out = new BackupCommand(session, unattended()).backup(List.of("db"), List.of(), null, false, null);
        assertThat(out).containsPattern("db\\s+[0-9a-f]{8}\\s+3\\s+0\\s+")
                .contains("db (").containsPattern("TABLE\\s+ROWS\\s+SIZE\\s+NEW")
                .containsPattern("public\\.invoices\\s+600\\s+\\S+ \\S+\\s+\\S+ \\S+")
                .containsPattern("public\\.settings\\s+2\\s+");

        JsonNode second = JSON.readTree(new BackupCommand(session, unattended()).backup(List.of("db"), List.of(),
                null, true, null)).path("sources").get(0);
        JsonNode invoices = null;
        for (JsonNode t : second.path("tables")) {
            if (t.path("table").asText().equals("public.invoices")) {
                invoices = t;
            }
        }
        assertThat(invoices).isNotNull();
        assertThat(invoices.path("rows").asLong()).isEqualTo(600);
        assertThat(invoices.path("bytes").asLong()).isPositive();
        assertThat(invoices.path("addedBytes").asLong()).as("unchanged table, second backup").isZero();
        String id = second.path("snapshotId").asText();

        String ls = new BrowseCommands(session).ls(id.substring(0, 8), null, false);
        assertThat(ls).startsWith("snapshot " + id.substring(0, 8) + " (db, ")
                .contains("database 'shop' (PostgreSQL 17").contains("3 tables, 632 rows")
                .containsPattern("TABLE\\s+ROWS\\s+SIZE\\s+NEW\\s+TENANTS")
                .containsPattern("public\\.invoices\\s+600\\s+\\S+ \\S+\\s+0 B\\s+3")
                .containsPattern("public\\.settings\\s+2\\s+\\S+ \\S+\\s+0 B\\n")
                .contains("rows per tenant: 1=210 2=210 3=210")
                .contains("warning: module 'payroll' names table 'payslips', which this snapshot does not hold")
                .doesNotContain("module 'billing'");
        JsonNode json = JSON.readTree(new BrowseCommands(session).ls(id, "companies", true));
        assertThat(json.path("database").asText()).isEqualTo("shop");
        assertThat(json.path("tables")).hasSize(1);
        assertThat(json.path("tables").get(0).path("tenantRows").path("2").asLong()).isEqualTo(10);
        assertThat(CommandsTest.exit(() -> new BrowseCommands(session).ls(id, "nope", false))).isEqualTo(2);
    }

    @Test
    @DisplayName("restore --target JDBC-URL: a dry run changes nothing, the restore creates the database with equal tables and prints phase times")
    void restoreIntoNewDatabase() throws Exception {
        new BackupCommand(session, unattended()).backup(List.of("db"), List.of(), null, false, null);
        String target = dropped("shop_restored");

        String plan = restore(unattended(), target, true, false, false);
        assertThat(plan).startsWith("plan: restore snapshot ").contains("into database 'shop_restored'")
                .contains("3 tables, 632 rows").contains("does not exist; it will be created")
                .endsWith("dry run: nothing was written");
        JsonNode planJson = JSON.readTree(restore(unattended(), target, true, false, true));
        assertThat(planJson.path("dryRun").asBoolean()).isTrue();
        assertThat(planJson.path("targetTables").asLong()).isEqualTo(-1);
        assertThat(count("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'shop_restored'")).isZero();

        String done = restore(unattended(), target, false, false, false);
        assertThat(done).startsWith("restored snapshot ").contains("into database 'shop_restored' (created)")
                .containsPattern("PHASE\\s+TIME").containsPattern("data\\s+\\d").containsPattern("indexes\\s+\\d");
        DatabaseManifest manifest = manifest();
        assertThat(TableCheck.compare(manifest, new PgConnect(target, "postgres", null, null)))
                .hasSize(3).allSatisfy(t -> assertThat(t.equal()).as(t.table()).isTrue());
        assertThat(count("shop_restored", "SELECT nextval('invoices_id_seq')")).isEqualTo(601);

        // The target now holds tables: refused unattended, cancelled when the operator says no, replaced with --yes.
        try (Connection c = EmbeddedPostgresServer.connect("shop_restored"); Statement st = c.createStatement()) {
            st.execute("DELETE FROM invoices WHERE tenant_id = 2");
        }
        assertThat(CommandsTest.message(() -> restore(unattended(), target, false, false, false)))
                .contains("already holds 3 tables").contains("--yes");
        assertThat(restore(unattended(), target, true, false, false)).contains("target: holds 3 tables; replaced only"
                + " with --yes: the objects of the snapshot's schemas there are set aside first, dropped once the"
                + " restore has succeeded and put back should it fail");
        List<String> asked = new java.util.ArrayList<>();
        Interaction declining = new Interaction(new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err,
                false, question -> {
                    asked.add(question);
                    return Optional.of(false);
                });
        assertThat(CommandsTest.message(() -> restore(declining, target, false, false, false)))
                .isEqualTo("restore cancelled; nothing was written");
        assertThat(asked).singleElement().asString().startsWith("database 'shop_restored' holds 3 tables; replace"
                + " the schemas of snapshot ").endsWith(" there?");
        assertThat(count("shop_restored", "SELECT count(*) FROM invoices")).isEqualTo(400);
        JsonNode replaced = JSON.readTree(restore(unattended(), target, false, true, true));
        assertThat(replaced.path("created").asBoolean()).isFalse();
        assertThat(replaced.path("targetTables").asLong()).isEqualTo(3);
        assertThat(replaced.path("phases").findValuesAsText("name")).contains("data", "indexes");
        assertThat(count("shop_restored", "SELECT count(*) FROM invoices")).isEqualTo(600);
        assertThat(restore(answering(true), target, false, false, false))
                .contains("into database 'shop_restored' (replacing 3 tables)");
        assertThat(TableCheck.compare(manifest, new PgConnect(target, "postgres", null, null)))
                .allSatisfy(t -> assertThat(t.equal()).as(t.table()).isTrue());
    }

    @Test
    @DisplayName("restore credentials: the target URL's user wins over the source's, and its password is never shown")
    void credentialsFromTheUrl() throws Exception {
        new BackupCommand(session, unattended()).backup(List.of("db"), List.of(), null, false, null);
        String target = dropped("shop_login");
        String refused = CommandsTest.message(() -> restore(unattended(),
                target + "?user=no_such_role&password=s3cret", false, true, false));
        assertThat(refused).contains("no_such_role").contains("password=***").doesNotContain("s3cret");

        restore(unattended(), target + "?user=postgres", false, false, false);
        assertThat(count("shop_login", "SELECT count(*) FROM companies")).isEqualTo(30);

        assertThat(DatabaseRestore.Credentials.of(target + "?user=a%20b&password=p%26q", spec()))
                .isEqualTo(new DatabaseRestore.Credentials("a b", "p&q"));
        assertThat(DatabaseRestore.Credentials.of(target, spec()))
                .isEqualTo(new DatabaseRestore.Credentials("postgres", null));
    }

    @Test
    @DisplayName("--in-place without a scope, an unknown tenant or module, --file, and a missing target are bad input (exit 2)")
    void badScopes() throws Exception {
        new BackupCommand(session, unattended()).backup(List.of("db"), List.of(), null, false, null);
        RestoreCommand command = new RestoreCommand(session, unattended());
        String target = EmbeddedPostgresServer.url("never_created");
        assertThat(CommandsTest.message(() -> command.restore("db", null, null, null, null, null, null, true, false,
                false, false, null))).contains("needs --tenant and/or --module");
        assertThat(CommandsTest.exit(() -> command.restore("db", null, null, "42", null, null, target, false,
                false, false, false, null))).isEqualTo(2);
        assertThat(CommandsTest.message(() -> command.restore("db", null, null, "42", null, null, target, false,
                false, false, false, null))).contains("tenant '42'").contains("1, 2, 3");
        assertThat(CommandsTest.message(() -> command.restore("db", null, null, null, "hr", null, target,
                false, false, false, false, null))).contains("unknown module 'hr'").contains("billing, docs, payroll");
        assertThat(CommandsTest.message(() -> command.restore("db", null, null, "1", "payroll", null, target,
                false, true, false, false, null))).contains("'payslips'").contains("modules.payroll.tables");
        assertThat(CommandsTest.exit(() -> command.restore("db", null, null, "1", "docs", null, null, true,
                true, false, false, null))).isEqualTo(2);
        assertThat(CommandsTest.exit(() -> command.restore("db", null, null, null, null, List.of("a.txt"), target,
                false, false, false, false, null))).isEqualTo(2);
        assertThat(CommandsTest.message(() -> command.restore("db", null, null, null, null, null, null, false,
                false, false, false, null))).contains("needs a target database");
        assertThat(CommandsTest.exit(() -> command.restore("db", null, null, "2", null, null, null, false,
                false, false, false, null))).isEqualTo(2);
        assertThat(count("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'never_created'")).isZero();
    }

    @Test
    @DisplayName("restore --tenant --in-place: plan (text and JSON), refused unattended without --yes, applied with it; other tenants untouched")
    void tenantInPlace() throws Exception {
        new BackupCommand(session, unattended()).backup(List.of("db"), List.of(), null, false, null);
        RestoreCommand command = new RestoreCommand(session, unattended());
        String otherTenants = digest("SELECT string_agg(t::text, '|' ORDER BY id) FROM invoices t WHERE tenant_id <> 2");
        String tenant2 = digest("SELECT string_agg(t::text, '|' ORDER BY id) FROM invoices t WHERE tenant_id = 2");
        try (Connection c = EmbeddedPostgresServer.connect("shop"); Statement st = c.createStatement()) {
            st.execute("DELETE FROM invoices WHERE tenant_id = 2 AND id % 2 = 0");
            st.execute("UPDATE invoices SET note = 'edited' WHERE tenant_id = 3 AND id < 50");
        }
        String otherNow = digest("SELECT string_agg(t::text, '|' ORDER BY id) FROM invoices t WHERE tenant_id <> 2");
        try {
            String plan = command.restore("db", null, null, "2", "billing", null, null, true, true, false, false,
                    null);
            assertThat(plan).startsWith("plan: restore tenant 2, module billing from snapshot ")
                    .containsPattern("public\\.invoices\\s+200\\s+100\\s+0\\s+0\\s+100\\s+100")
                    .contains("100 to insert").contains(" of table data (").endsWith("dry run: nothing was changed");
            JsonNode json = JSON.readTree(command.restore("db", null, null, "2", null, null, null, true, true, false,
                    true, null));
            assertThat(json.path("rowsToInsert").asLong()).isEqualTo(100);
            assertThat(json.path("bytesRead").asLong()).isPositive().isLessThan(json.path("tableBytes").asLong() / 2);
            assertThat(json.path("tables").findValuesAsText("table")).containsExactly("public.companies",
                    "public.invoices");
            assertThat(CommandsTest.message(() -> command.restore("db", null, null, "2", "billing", null, null, true,
                    false, false, false, null))).contains("would change 100 rows").contains("--yes");
            assertThat(count("shop", "SELECT count(*) FROM invoices WHERE tenant_id = 2")).isEqualTo(100);

            String done = new RestoreCommand(session, answering(true)).restore("db", null, null, "2", "billing",
                    null, null, true, false, false, false, null);
            assertThat(done).startsWith("restored tenant 2, module billing").contains("applied in one transaction");
            assertThat(digest("SELECT string_agg(t::text, '|' ORDER BY id) FROM invoices t WHERE tenant_id = 2"))
                    .isEqualTo(tenant2);
            assertThat(digest("SELECT string_agg(t::text, '|' ORDER BY id) FROM invoices t WHERE tenant_id <> 2"))
                    .isEqualTo(otherNow);
        } finally {
            // Back to the state the other tests expect.
            new RestoreCommand(session, unattended()).restore("db", null, null, "3", null, null, null, true, false,
                    true, false, null);
            new RestoreCommand(session, unattended()).restore("db", null, null, "2", null, null, null, true, false,
                    true, false, null);
        }
        assertThat(digest("SELECT string_agg(t::text, '|' ORDER BY id) FROM invoices t WHERE tenant_id <> 2"))
                .isEqualTo(otherTenants);
    }

    static String digest(String sql) throws SQLException {
        try (Connection c = EmbeddedPostgresServer.connect("shop"); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT md5((" + sql + "))")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    @DisplayName("an unreachable database source fails the backup with exit 6, naming the source")
    void unreachableSource() {
        BackupCommand backup = new BackupCommand(session, unattended());
        assertThat(CommandsTest.exit(() -> backup.backup(List.of("elsewhere"), null, null, false, null)))
                .isEqualTo(6);
        assertThat(stdout.toString(StandardCharsets.UTF_8)).containsPattern("elsewhere\\s+FAILED");
    }

    private io.restorekit.source.postgres.PostgresSourceSpec spec() {
        return (io.restorekit.source.postgres.PostgresSourceSpec) session.config().source("db");
    }

    private DatabaseManifest manifest() throws IOException {
        Repository repository = session.repository();
        var latest = repository.snapshots().stream().filter(s -> s.source().equals("db"))
                .max(java.util.Comparator.comparing(io.restorekit.repository.Snapshot::time)).orElseThrow();
        return DatabaseManifest.load(repository, latest.tree());
    }
}
