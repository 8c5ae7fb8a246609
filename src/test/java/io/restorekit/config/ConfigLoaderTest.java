package io.restorekit.config;

import io.restorekit.common.BadInputException;
import io.restorekit.source.files.FilesSourceSpec;
import io.restorekit.source.mysql.MySqlSourceSpec;
import io.restorekit.source.postgres.PostgresSourceSpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    private static final Path BASE = Path.of("/etc/app-rk");
    private static final Path USER_HOME = Path.of("/home/op");

    private final ConfigLoader loader = new ConfigLoader(
            Map.of("RK_HOME", "/var/lib/rk", "APP_ROOT", "/srv/app"), USER_HOME);

    private RkConfig parse(String yaml) {
        return loader.parse("restorekit.yml", yaml, BASE);
    }

    private void assertError(String yaml, String message) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(InvalidConfigException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((InvalidConfigException) e).code().exitCode()).isEqualTo(2));
    }

    @Nested
    @DisplayName("a valid configuration")
    class Valid {
        static final String FULL = """
                repository:
                  url: /var/backups/restorekit
                copies:
                  - name: offsite
                    url: s3://company-backups/restorekit
                    s3: { endpoint: "http://127.0.0.1:9000", region: us-east-1, path-style: true,
                          access-key-env: S3_KEY, secret-key-env: S3_SECRET, storage-class: STANDARD_IA,
                          object-lock: {mode: COMPLIANCE, days: 30} }
                  - name: nas
                    url: sftp://rk@nas:2222/backups
                    sftp: { identity-file: ~/.ssh/id_ed25519, known-hosts: ~/.ssh/known_hosts }
                sources:
                  - name: db
                    type: postgres
                    url: jdbc:postgresql://127.0.0.1:5432/app
                    username: app
                    password-env: APP_DB_PASSWORD
                    exclude-tables: [sessions, cache_entries]
                  - name: uploads
                    type: files
                    path: ${APP_ROOT}/uploads
                    tenant-path: "tenant-{tenant}/**"
                    exclude: ["**/*.tmp"]
                  - name: config
                    type: files
                    path: conf
                  - name: shop
                    type: mysql
                    url: jdbc:mariadb://127.0.0.1/shop
                    tenant-column: company_id
                modules:
                  billing:
                    tables: [invoices, invoice_items, receipts]
                    paths: ["*/invoices/**", "*/receipts/**"]
                retention: { keep-last: 2, daily: 30, weekly: 12, monthly: 12, yearly: 7 }
                drill:
                  target: embedded
                  rto: 4h
                  checks:
                    - name: every tenant has an owner
                      sql: "select count(*) from companies where owner_id is null"
                      expect: "= 0"
                schedule:
                  backup: "0 0 3 * * *"
                  verify: "0 0 3 * * WED"
                  drill: "0 0 2 * * SUN#1"
                  forget: "0 0 4 * * SUN"
                alerts:
                  email: { host: smtp.example.com, port: 587, username: rk, password-env: SMTP_PASSWORD,
                           from: rk@example.com, to: [ops@example.com] }
                  webhook: https://hooks.example.com/T000/B000
                  stale-after: 24h
                  size-change: 30%
                  min-free-disk: 20%
                catalog:
                  url: jdbc:h2:file:${RK_HOME}/catalog
                """;

        @Test
        @DisplayName("binds every section of DESIGN.md §4")
        void bindsEverything() {
            RkConfig c = parse(FULL);
            assertThat(c.file()).isEqualTo(BASE.resolve("restorekit.yml"));
            assertThat(c.home()).isEqualTo(Path.of("/var/lib/rk"));
            assertThat(c.repository()).isEqualTo(new RepositoryConfig("primary", "/var/backups/restorekit", null, null));
            assertThat(c.copies()).containsExactly(
                    new RepositoryConfig("offsite", "s3://company-backups/restorekit",
                            new RepositoryConfig.S3("http://127.0.0.1:9000", "us-east-1", true, "S3_KEY", "S3_SECRET",
                                    "STANDARD_IA", new RepositoryConfig.ObjectLock("COMPLIANCE", 30)),
                            null),
                    new RepositoryConfig("nas", "sftp://rk@nas:2222/backups", null,
                            new RepositoryConfig.Sftp("/home/op/.ssh/id_ed25519", "/home/op/.ssh/known_hosts", null)));
            assertThat(c.sources()).containsExactly(
                    new PostgresSourceSpec("db", "jdbc:postgresql://127.0.0.1:5432/app", "app",
                            "APP_DB_PASSWORD", null, "tenant_id", List.of(), List.of("sessions", "cache_entries"), 2,
                            null).withDeltaCache(Path.of("/var/lib/rk/cache")),
                    new FilesSourceSpec("uploads", Path.of("/srv/app/uploads"), List.of("**/*.tmp"), "tenant-{tenant}/**"),
                    new FilesSourceSpec("config", BASE.resolve("conf"), List.of(), null),
                    new MySqlSourceSpec("shop", "jdbc:mariadb://127.0.0.1/shop", null, null, null,
                            "company_id", List.of(), List.of(), 1, null));
            assertThat(c.modules()).containsExactly(Map.entry("billing", new RkConfig.Module("billing",
                    List.of("invoices", "invoice_items", "receipts"), List.of("*/invoices/**", "*/receipts/**"))));
            assertThat(c.retention()).isEqualTo(new RkConfig.Retention(2, 30, 12, 12, 7));
            assertThat(c.drill()).isEqualTo(new RkConfig.Drill("embedded", Duration.ofHours(4), List.of(
                    new RkConfig.Drill.Check("every tenant has an owner",
                            "select count(*) from companies where owner_id is null", "= 0"))));
            assertThat(c.schedule()).isEqualTo(new RkConfig.Schedule("0 0 3 * * *", "0 0 3 * * WED",
                    "0 0 2 * * SUN#1", "0 0 4 * * SUN", null, null));
            assertThat(c.alerts()).isEqualTo(new RkConfig.Alerts(
                    new RkConfig.Alerts.Email("smtp.example.com", 587, "rk", "SMTP_PASSWORD", "rk@example.com",
                            List.of("ops@example.com")),
                    URI.create("https://hooks.example.com/T000/B000"), Duration.ofHours(24), 30.0, 20.0));
            assertThat(c.catalog().url()).isEqualTo("jdbc:h2:file:/var/lib/rk/catalog");
            assertThat(c.runbooks().repository()).isEqualTo("/var/lib/rk/runbooks");
        }

        @Test
        @DisplayName("needs only a repository; everything else has defaults")
        void minimal() {
            RkConfig c = parse("repository: {url: ./backups}\n");
            assertThat(c.sources()).isEmpty();
            assertThat(c.copies()).isEmpty();
            assertThat(c.retention().keepsAll()).isTrue();
            assertThat(c.drill()).isEqualTo(new RkConfig.Drill("embedded", null, List.of()));
            assertThat(c.alerts()).isEqualTo(RkConfig.Alerts.NONE);
            assertThat(c.catalog().url()).isEqualTo("jdbc:h2:file:/var/lib/rk/catalog");
            assertThat(c.baseDir()).isEqualTo(BASE);
        }

        @Test
        @DisplayName("finds a source by name, and names the configured ones when it cannot")
        void sourceByName() {
            RkConfig c = parse(FULL);
            assertThat(c.source("uploads").type()).isEqualTo("files");
            assertThatThrownBy(() -> c.source("upload")).isInstanceOf(BadInputException.class)
                    .hasMessage("unknown source 'upload'; configured sources: db, uploads, config, shop");
        }

        @Test
        @DisplayName("a postgres source binds its keys and reads its password from the environment")
        void postgresSource() {
            RkConfig c = new ConfigLoader(Map.of("PG_PW", "s3cret"), USER_HOME).parse("restorekit.yml", """
                    repository: {url: /b}
                    sources:
                      - name: db
                        type: postgres
                        url: jdbc:postgresql://db:5432/app
                        username: app
                        password-env: PG_PW
                        tenant-column: company_id
                        include-tables: [invoices, billing.receipts]
                        exclude-tables: [sessions]
                        jobs: 4
                        schema: builtin
                        tenant-table: app.companies
                    """, BASE);
            assertThat(c.source("db")).isEqualTo(new PostgresSourceSpec("db", "jdbc:postgresql://db:5432/app", "app",
                    "PG_PW", "s3cret", "company_id", List.of("invoices", "billing.receipts"), List.of("sessions"), 4,
                    "builtin", "app.companies").withDeltaCache(c.home().resolve("cache")));
            assertThat(c.source("db").toString()).doesNotContain("s3cret");
            assertThat(((PostgresSourceSpec) c.source("db")).analyze()).isFalse();
        }

        @Test
        @DisplayName("'analyze' asks a postgres restore for planner statistics; other sources refuse it")
        void analyzeAfterRestore() {
            RkConfig c = new ConfigLoader(Map.of(), USER_HOME).parse("restorekit.yml", """
                    repository: {url: /b}
                    sources:
                      - {name: db, type: postgres, url: "jdbc:postgresql://db:5432/app", analyze: true}
                    """, BASE);
            assertThat(((PostgresSourceSpec) c.source("db")).analyze()).isTrue();
            assertThatThrownBy(() -> new ConfigLoader(Map.of(), USER_HOME).parse("restorekit.yml", """
                    repository: {url: /b}
                    sources:
                      - {name: shop, type: mysql, url: "jdbc:mariadb://db/shop", analyze: true}
                    """, BASE)).hasMessageContaining("'analyze' applies to postgres sources only");
        }

        @Test
        @DisplayName("a mysql source's binlog (auto, off) and full-read-every; neither applies to postgres")
        void mysqlBinlog() {
            RkConfig c = new ConfigLoader(Map.of(), USER_HOME).parse("restorekit.yml", """
                    repository: {url: /b}
                    sources:
                      - {name: a, type: mysql, url: "jdbc:mariadb://db/a"}
                      - {name: b, type: mysql, url: "jdbc:mariadb://db/b", binlog: off}
                      - {name: c, type: mysql, url: "jdbc:mariadb://db/c", binlog: auto, full-read-every: 6h}
                    """, BASE);
            MySqlSourceSpec a = (MySqlSourceSpec) c.source("a");
            assertThat(a.binlog()).isTrue();
            assertThat(a.fullReadEvery()).isEqualTo(Duration.ofHours(24));
            assertThat(((MySqlSourceSpec) c.source("b")).binlog()).isFalse();
            assertThat(((MySqlSourceSpec) c.source("c")).binlog()).isTrue();
            assertThat(((MySqlSourceSpec) c.source("c")).fullReadEvery()).isEqualTo(Duration.ofHours(6));
            assertError("repository: {url: /b}\nsources:\n  - {name: a, type: mysql, url: \"jdbc:mariadb://db/a\","
                    + " binlog: always}\n", "restorekit.yml: sources[0].binlog: expected auto or off, got 'always'");
            assertError("repository: {url: /b}\nsources:\n  - {name: a, type: mysql, url: \"jdbc:mariadb://db/a\","
                    + " full-read-every: soon}\n", "restorekit.yml: sources[0].full-read-every: expected a duration"
                    + " such as 90s, 30m, 4h or 7d, got 'soon'");
            assertThatThrownBy(() -> new ConfigLoader(Map.of(), USER_HOME).parse("restorekit.yml", """
                    repository: {url: /b}
                    sources:
                      - {name: db, type: postgres, url: "jdbc:postgresql://db:5432/app", binlog: off}
                    """, BASE)).hasMessageContaining("'binlog' applies to mysql sources only");
        }

        @Test
        @DisplayName("defaults RK_HOME to ~/.restorekit")
        void defaultHome() {
            RkConfig c = new ConfigLoader(Map.of(), USER_HOME).parse("restorekit.yml", "repository: {url: /b}", BASE);
            assertThat(c.home()).isEqualTo(Path.of("/home/op/.restorekit"));
            assertThat(c.runbooks().repository()).isEqualTo("/home/op/.restorekit/runbooks");
        }
    }

    @Nested
    @DisplayName("an invalid configuration is reported with the file, the key and what was expected")
    class Invalid {
        @Test
        void wrongType() {
            assertError("""
                    repository: {url: /b}
                    sources:
                      - {name: a, type: files, path: /a}
                      - name: b
                        type: files
                        path: [/x, /y]
                    """, "restorekit.yml: sources[1].path: expected a directory path (string), got a list");
        }

        @Test
        void unknownKey() {
            assertError("""
                    repository: {url: /b}
                    sources:
                      - {name: a, type: files, pathh: /a}
                    """, "restorekit.yml: sources[0].pathh: unknown key; expected one of name, type, path, exclude, tenant-path");
        }

        @Test
        void unknownTopLevelKey() {
            assertError("repository: {url: /b}\nsource: []\n",
                    "restorekit.yml: source: unknown key; expected one of repository, copies, sources, modules,"
                            + " retention, drill, schedule, alerts, catalog, runbooks, roles, metrics");
        }

        @Test
        void missingRequiredKeys() {
            assertError("sources: []\n",
                    "restorekit.yml: missing required key 'repository' (where backups are stored)");
            assertError("repository:\n", "restorekit.yml: missing required key 'repository' (where backups are stored)");
            assertError("repository: {}\n",
                    "restorekit.yml: repository: missing required key 'url' (a local path, s3://bucket/prefix or sftp://user@host/path)");
            assertError("repository: {s3: {region: x}}\n",
                    "restorekit.yml: repository: missing required key 'url' (a local path, s3://bucket/prefix or sftp://user@host/path)");
            assertError("repository: {url: /b}\nsources:\n  - {name: a, type: files}\n",
                    "restorekit.yml: sources[0]: missing required key 'path' (a directory path)");
            assertError("repository: {url: /b}\nsources:\n  - {name: a, path: /a}\n",
                    "restorekit.yml: sources[0]: missing required key 'type' (postgres, mysql or files)");
        }

        @Test
        void duplicateSourceNames() {
            assertError("""
                    repository: {url: /b}
                    sources:
                      - {name: db, type: files, path: /a}
                      - {name: files, type: files, path: /b}
                      - {name: db, type: postgres, url: "jdbc:postgresql://h/app"}
                    """, "restorekit.yml: sources[2].name: duplicate source name 'db' (also sources[0].name)");
        }

        @Test
        void badValues() {
            assertError("repository: {url: /b}\nsources:\n  - {name: x, type: oracle, url: jdbc:oracle:x}\n",
                    "restorekit.yml: sources[0].type: expected postgres, mysql or files, got 'oracle'");
            assertError("repository: {url: /b}\nsources:\n  - {name: x, type: postgres, url: jdbc:mysql://h/x}\n",
                    "restorekit.yml: sources[0].url: expected a jdbc:postgresql:// URL, got 'jdbc:mysql://h/x'");
            assertError("repository: {url: /b}\nsources:\n  - {name: 'a b', type: files, path: /a}\n",
                    "restorekit.yml: sources[0].name: expected a source name of letters, digits, '.', '_' or '-', got 'a b'");
            assertError("repository: {url: /b}\nsources:\n  - {name: a, type: files, path: /a, tenant-path: 'x/**'}\n",
                    "restorekit.yml: sources[0].tenant-path: expected a path template containing {tenant}, got 'x/**'");
            assertError("repository: {url: /b}\nretention: {daily: ten}\n",
                    "restorekit.yml: retention.daily: expected a number of days (integer), got 'ten'");
            assertError("repository: {url: /b}\nretention: {keep-last: -1}\n",
                    "restorekit.yml: retention.keep-last: expected a number of snapshots (integer >= 0), got -1");
            assertError("repository: {url: /b}\ndrill: {rto: 4 hours}\n",
                    "restorekit.yml: drill.rto: expected a duration such as 90s, 30m, 4h or 7d, got '4 hours'");
            assertError("repository: {url: /b}\ndrill: {checks: [{name: n, sql: s, expect: 'zero'}]}\n",
                    "restorekit.yml: drill.checks[0].expect: expected a comparison and a number such as '= 0', '> 10' or"
                            + " 'between 1 and 5', got 'zero'");
            assertError("repository: {url: /b}\nschedule: {backup: 'every night'}\n",
                    "restorekit.yml: schedule.backup: expected a cron expression with seconds first such as '0 0 3 * * *', got 'every night'");
            assertError("repository: {url: /b}\nalerts: {size-change: 130%}\n",
                    "restorekit.yml: alerts.size-change: expected a percentage between 0% and 100% such as 30%, got '130%'");
            assertError("repository: {url: /b}\nalerts: {webhook: 'hooks.example.com/x'}\n",
                    "restorekit.yml: alerts.webhook: expected an http(s) URL, got 'hooks.example.com/x'");
            assertError("repository: {url: /b}\nalerts: {email: {host: h, from: f}}\n",
                    "restorekit.yml: alerts.email: missing required key 'to' (recipient addresses)");
            assertError("repository: {url: /b}\ncopies: [{url: /c}]\n",
                    "restorekit.yml: copies[0]: missing required key 'name' (a unique copy name)");
            assertError("repository: {url: s3://b/r, s3: {object-lock: {mode: forever, days: 3}}}\n",
                    "restorekit.yml: repository.s3.object-lock.mode: expected COMPLIANCE or GOVERNANCE, got 'forever'");
            assertError("repository: {url: /b, s3: {path-style: yes please}}\n",
                    "restorekit.yml: repository.s3.path-style: expected whether to use path-style requests (true or false), got 'yes please'");
            assertError("repository: {url: /b}\nmodules: {billing: {}}\n",
                    "restorekit.yml: modules.billing: a module needs 'tables', 'paths' or both");
        }

        @Test
        void unsetEnvironmentVariable() {
            assertError("repository: {url: '${BACKUP_ROOT}/rk'}\n",
                    "restorekit.yml: repository.url: environment variable 'BACKUP_ROOT' is not set");
        }

        @Test
        void notYaml() {
            assertError("repository: {url: /b\n",
                    "restorekit.yml: line 2, column 1: expected ',' or '}', but got <stream end>");
            assertError("repository: {url: /b}\nrepository: {url: /c}\n",
                    "restorekit.yml: line 2, column 1: found duplicate key repository");
            assertError("", "restorekit.yml: the file is empty; expected at least 'repository: {url: ...}'");
            assertError("- a\n", "restorekit.yml: expected the restorekit configuration (a mapping), got a list");
        }
    }

    @Nested
    @DisplayName("the configuration file")
    class File {
        @Test
        @DisplayName("comes from RK_CONFIG, and a missing one says how to create it")
        void missing(@TempDir Path dir) {
            Path file = dir.resolve("prod.yml");
            ConfigLoader l = new ConfigLoader(Map.of("RK_CONFIG", file.toString()), USER_HOME);
            assertThat(l.configFile()).isEqualTo(file);
            assertThatThrownBy(l::load).isInstanceOf(InvalidConfigException.class)
                    .hasMessage("configuration file '" + file + "' not found; create it with at least"
                            + " 'repository: {url: /path/to/backups}' and a list of 'sources' (see DESIGN.md §4),"
                            + " or set RK_CONFIG to its path");
        }

        @Test
        @DisplayName("anchors relative paths at its own folder and names itself as given in errors")
        void relative(@TempDir Path dir) throws IOException {
            Path file = dir.resolve("rk.yml");
            Files.writeString(file, "repository: {url: backups}\nsources: [{name: a, type: files, path: data}]\n");
            RkConfig c = new ConfigLoader(Map.of("RK_CONFIG", file.toString()), USER_HOME).load();
            assertThat(c.baseDir()).isEqualTo(dir);
            assertThat(((FilesSourceSpec) c.source("a")).path()).isEqualTo(dir.resolve("data"));
            Files.writeString(file, "repository: {url: backups, extra: 1}\n");
            assertThatThrownBy(() -> new ConfigLoader(Map.of("RK_CONFIG", file.toString()), USER_HOME).load())
                    .hasMessage(file + ": repository.extra: unknown key; expected one of url, s3, sftp");
        }

        @Test
        void defaultsToTheWorkingDirectory() {
            assertThat(new ConfigLoader(Map.of(), USER_HOME).configFile()).isEqualTo(Path.of("restorekit.yml"));
        }
    }
}
