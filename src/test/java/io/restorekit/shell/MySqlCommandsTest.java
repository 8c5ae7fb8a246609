package io.restorekit.shell;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restorekit.config.ConfigLoader;
import io.restorekit.config.PasswordProvider;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.StorageFactory;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.source.mysql.EmbeddedMariaDbServer;
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
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code backup}, {@code ls}, {@code restore} and {@code export} of a configured MySQL source, in process. */
class MySqlCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "correct horse";

    @TempDir
    Path dir;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    RepositorySession session;
    Map<String, String> env;

    @BeforeAll
    static void database() throws Exception {
        EmbeddedMariaDbServer.freshDatabase("cmd_shop");
        try (Connection c = EmbeddedMariaDbServer.root("cmd_shop?allowMultiQueries=true");
             Statement st = c.createStatement()) {
            st.execute("""
                    CREATE TABLE companies (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL);
                    CREATE TABLE invoices (id INT AUTO_INCREMENT PRIMARY KEY, tenant_id INT NOT NULL,
                        total DECIMAL(12,2), note TEXT, KEY (tenant_id),
                        FOREIGN KEY (tenant_id) REFERENCES companies (id));
                    INSERT INTO companies SELECT seq, CONCAT('company ', seq) FROM seq_1_to_3;
                    INSERT INTO invoices (tenant_id, total, note)
                        SELECT 1 + seq % 3, seq * 1.25, CONCAT('line\\twith tab ', seq) FROM seq_1_to_300;
                    """);
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        Files.writeString(dir.resolve("restorekit.yml"), """
                repository: {url: repo}
                sources:
                  - name: shop
                    type: mysql
                    url: "%s"
                    username: %s
                    password-env: SHOP_PASSWORD
                    tenant-table: companies
                modules:
                  billing: {tables: [invoices]}
                """.formatted(EmbeddedMariaDbServer.url("cmd_shop"), EmbeddedMariaDbServer.USER));
        Repository.init(LocalStorage.create(dir.resolve("repo")), PASSWORD.toCharArray(),
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20)).close();
        env = Map.of("RK_PASSWORD", PASSWORD, "RK_CONFIG", dir.resolve("restorekit.yml").toString(),
                "RK_HOME", dir.resolve("home").toString(), "SHOP_PASSWORD", EmbeddedMariaDbServer.PASSWORD,
                "RK_EXPORT_PASSWORD", "export secret");
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

    @Test
    @DisplayName("backup, ls, a full restore into a new database, a tenant dry run and a refused export")
    void commands() throws Exception {
        String out = new BackupCommand(session, unattended()).backup(List.of("shop"), List.of(), null, false, null);
        assertThat(out).containsPattern("cmd_shop\\.invoices\\s+300\\s+");
        JsonNode backup = JSON.readTree(new BackupCommand(session, unattended()).backup(List.of("shop"), List.of(),
                null, true, null)).path("sources").get(0);
        String id = backup.path("snapshotId").asText();

        String ls = new BrowseCommands(session).ls(id.substring(0, 8), null, false);
        assertThat(ls).contains("database 'cmd_shop' (MariaDB " + EmbeddedMariaDbServer.version() + ")").contains("2 tables, 303 rows")
                .contains("rows per tenant: 1=101 2=101 3=101");

        EmbeddedMariaDbServer.drop("cmd_restored");
        String target = EmbeddedMariaDbServer.url("cmd_restored") + "?user=root";
        String done = new RestoreCommand(session, unattended()).restore("shop", null, null, null, null, null, target,
                false, false, false, false, null);
        assertThat(done).contains("into database 'cmd_restored' (created)").containsPattern("data\\s+\\d");
        try (Connection c = EmbeddedMariaDbServer.root("cmd_restored"); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT COUNT(*), SUM(total) FROM invoices")) {
            r.next();
            assertThat(r.getLong(1)).isEqualTo(300);
            assertThat(r.getBigDecimal(2)).isEqualByComparingTo("56437.50");
        }
        assertThat(CommandsTest.message(() -> new RestoreCommand(session, unattended()).restore("shop", null, null,
                null, null, null, target, false, false, false, false, null))).contains("already holds 2 tables");
        assertThat(new RestoreCommand(session, unattended()).restore("shop", null, null, null, null, null, target,
                false, true, false, false, null)).contains("target: holds 2 tables; replaced only with --yes: its"
                + " tables are set aside first, dropped once the restore has succeeded and put back should it fail");

        try (Connection c = EmbeddedMariaDbServer.root("cmd_shop"); Statement st = c.createStatement()) {
            st.execute("DELETE FROM invoices WHERE tenant_id = 2 AND id < 50");
        }
        JsonNode plan = JSON.readTree(new RestoreCommand(session, unattended()).restore("shop", null, null, "2",
                "billing", null, null, true, true, false, true, null));
        assertThat(plan.path("dryRun").asBoolean()).isTrue();
        assertThat(plan.path("rowsToInsert").asLong()).isEqualTo(17);
        assertThat(plan.path("rowsToDelete").asLong()).isZero();
        String applied = new RestoreCommand(session, unattended()).restore("shop", null, null, "2", "billing", null,
                null, true, false, true, false, null);
        assertThat(applied).startsWith("restored tenant 2, module billing").contains("17 to insert");

        Files.createDirectories(dir.resolve("drive"));
        String exported = new ArchiveCommands(session, unattended()).export(dir.resolve("drive").toString(), List.of(),
                null, false, null);
        assertThat(exported).contains("shop-").contains(".sql.zst.enc").contains("export written to");
        try (var listing = Files.walk(dir.resolve("drive"))) {
            assertThat(listing.map(p -> p.getFileName().toString())).anyMatch(n -> n.matches("shop-[0-9a-f]{8}\\.sql\\.zst\\.enc"));
        }
    }

    @Test
    @DisplayName("doctor names the databases a --yes restore set aside and did not drop, and --fix leaves them")
    void doctorFindsReplacedTables() throws Exception {
        try (Connection c = EmbeddedMariaDbServer.root("mysql"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE rk_replaced_mx1_ab_doctor");
        }
        try {
            DoctorCommand doctor = new DoctorCommand(session, new StorageFactory(), unattended(), env);
            assertThat(doctor.doctor(false, false)).containsPattern("ok\\s+source\\s+shop\\s+MySQL/MariaDB")
                    .containsPattern("WARNING\\s+source\\s+shop\\s+databases rk_replaced_mx1_ab_doctor hold what a"
                            + " restore with --yes set aside");
            doctor.doctor(true, false);
            assertThat(EmbeddedMariaDbServer.databases("rk\\_replaced\\_mx1")).isEqualTo(1);
        } finally {
            try (Connection c = EmbeddedMariaDbServer.root("mysql"); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE rk_replaced_mx1_ab_doctor");
            }
        }
        assertThat(new DoctorCommand(session, new StorageFactory(), unattended(), env).doctor(false, false))
                .doesNotContain("rk_replaced_");
    }
}
