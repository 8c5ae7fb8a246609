package io.restorekit.shell;

import io.restorekit.config.ConfigLoader;
import io.restorekit.config.PasswordProvider;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.StorageFactory;
import io.restorekit.source.mysql.MySqlBackup;
import io.restorekit.source.postgres.EmbeddedPostgresServer;
import io.restorekit.source.postgres.PgConnect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EarlyConnectTest {
    @TempDir
    Path dir;

    private RepositorySession session() throws Exception {
        EmbeddedPostgresServer.freshDatabase("early");
        Files.writeString(dir.resolve("restorekit.yml"), """
                repository: {url: repo}
                sources:
                  - {name: db, type: postgres, url: "%s", username: postgres, jobs: 2}
                  - {name: files, type: files, path: "%s"}
                """.formatted(EmbeddedPostgresServer.url("early"), dir));
        Map<String, String> env = Map.of("RK_CONFIG", dir.resolve("restorekit.yml").toString(),
                "RK_HOME", dir.resolve("home").toString());
        return new RepositorySession(new ConfigLoader(env, dir), new StorageFactory(), new PasswordProvider(env, p -> null));
    }

    @Test
    void logsInForAnInPlaceScopedRestoreOfThatSourceOnly() throws Exception {
        RepositorySession session = session();
        EarlyConnect.start(List.of("restore", "--source", "db", "--tenant", "7", "--in-place", "--yes"), session);
        assertThat(EarlyConnect.take("other")).as("another source's restore").isNull();
        PgConnect ahead = EarlyConnect.take("db");
        assertThat(ahead).isNotNull();
        try (Connection c = ahead.open(); ResultSet rs = c.createStatement().executeQuery("select current_database()")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("early");
        }
        ahead.closePrepared();
        assertThat(EarlyConnect.take("db")).as("taken once").isNull();

        for (List<String> args : List.of(List.of("restore", "--source", "db", "--tenant", "7", "--target", "jdbc:x"),
                List.of("restore", "--source", "db", "--in-place"), List.of("backup", "--source", "db"),
                List.of("restore", "--tenant", "7", "--in-place"))) {
            EarlyConnect.start(args, session);
            assertThat(EarlyConnect.take("db")).as("nothing started for %s", args).isNull();
        }
        EarlyConnect.start(List.of("restore", "--source", "files", "--module", "m", "--in-place"), session);
        assertThat(EarlyConnect.take("files")).as("not a database").isNull();
    }

    @Test
    void opensTheFirstSourceOfABackupWhenItIsMySql() throws Exception {
        Files.writeString(dir.resolve("restorekit.yml"), """
                repository: {url: repo}
                sources:
                  - {name: shop, type: mysql, url: "jdbc:mariadb://127.0.0.1:1/shop", username: rk}
                  - {name: files, type: files, path: "%s"}
                  - {name: crm, type: mysql, url: "jdbc:mariadb://127.0.0.1:1/crm", username: rk}
                """.formatted(dir));
        Map<String, String> env = Map.of("RK_CONFIG", dir.resolve("restorekit.yml").toString(),
                "RK_HOME", dir.resolve("home").toString());
        RepositorySession session = new RepositorySession(new ConfigLoader(env, dir), new StorageFactory(),
                new PasswordProvider(env, p -> null));
        for (List<String> args : List.of(List.of("backup"), List.of("backup", "--json"),
                List.of("backup", "--source", "shop", "files"))) {
            EarlyConnect.start(args, session);
            assertThat(EarlyConnect.takeBackup("crm")).as("not the first source of %s", args).isNull();
            MySqlBackup.Opening opening = EarlyConnect.takeBackup("shop");
            assertThat(opening).as("the first source of %s", args).isNotNull();
            opening.close();
            assertThat(EarlyConnect.takeBackup("shop")).as("taken once").isNull();
        }
        EarlyConnect.start(List.of("backup", "--source", "crm", "--tag", "t"), session);
        assertThat(EarlyConnect.takeBackup("shop")).isNull();
        MySqlBackup.Opening crm = EarlyConnect.takeBackup("crm");
        assertThat(crm).isNotNull();
        crm.close();
        for (List<String> args : List.of(List.of("backup", "--source", "files", "shop"),
                List.of("backup", "--source", "nosuch"), List.of("backup", "--source"),
                List.of("backup", "--source", "--json"))) {
            EarlyConnect.start(args, session);
            assertThat(EarlyConnect.takeBackup("shop")).as("nothing started for %s", args).isNull();
            assertThat(EarlyConnect.takeBackup("crm")).as("nothing started for %s", args).isNull();
        }
    }
}
