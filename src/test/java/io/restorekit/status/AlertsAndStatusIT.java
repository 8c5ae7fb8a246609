package io.restorekit.status;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.sun.net.httpserver.HttpServer;
import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.LazyCatalog;
import io.restorekit.catalog.RunKind;
import io.restorekit.catalog.RunQuery;
import io.restorekit.config.ConfigLoader;
import io.restorekit.config.Operations;
import io.restorekit.config.PasswordProvider;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.StorageFactory;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.shell.BackupCommand;
import io.restorekit.shell.Interaction;
import io.restorekit.shell.OpsCommands;
import io.restorekit.storage.local.LocalStorage;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Alerts end to end against a real SMTP server (GreenMail) and a real HTTP endpoint: a failed
 * backup, a source gone stale without any backup running, recoveries, no repeats; and the catalog
 * rebuilt from the repository after its file was deleted.
 */
class AlertsAndStatusIT {
    @TempDir
    Path dir;
    GreenMail mail;
    HttpServer hook;
    final List<String> webhooks = Collections.synchronizedList(new ArrayList<>());
    final List<RepositorySession> sessions = new ArrayList<>();
    final ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws Exception {
        mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        mail.start();
        hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", exchange -> {
            webhooks.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        hook.start();
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/a.txt"), "invoice 42\n");
        Files.writeString(dir.resolve("restorekit.yml"), """
                repository: {url: repo}
                sources:
                  - {name: files, type: files, path: data}
                  - {name: gone, type: files, path: missing}
                alerts:
                  email: {host: 127.0.0.1, port: %d, from: rk@example.com, to: [ops@example.com]}
                  webhook: http://127.0.0.1:%d/hook
                  stale-after: 1h
                """.formatted(mail.getSmtp().getPort(), hook.getAddress().getPort()));
        Repository.init(LocalStorage.create(dir.resolve("repo")), "pw".toCharArray(),
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20)).close();
    }

    @AfterEach
    void tearDown() {
        sessions.forEach(RepositorySession::close);
        mail.stop();
        hook.stop(0);
    }

    /** The wiring of one rk process whose clock reads {@code now}. */
    record Process(RepositorySession session, Operations operations, Catalog catalog) {
    }

    Process process(Instant now) {
        Map<String, String> env = new HashMap<>();
        env.put("RK_CONFIG", dir.resolve("restorekit.yml").toString());
        env.put("RK_HOME", dir.resolve("home").toString());
        env.put("RK_PASSWORD", "pw");
        ConfigLoader loader = new ConfigLoader(env, dir);
        RepositorySession session = new RepositorySession(loader, new StorageFactory(),
                new PasswordProvider(env, prompt -> null));
        sessions.add(session);
        LazyCatalog catalog = Operations.lazyCatalog(session, loader);
        return new Process(session, new Operations(session, new StorageFactory(), loader, catalog,
                Clock.fixed(now, ZoneOffset.UTC)), catalog);
    }

    Interaction io() {
        return Interaction.unattended(new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err);
    }

    List<String> subjects() throws Exception {
        List<String> out = new ArrayList<>();
        for (MimeMessage m : mail.getReceivedMessages()) {
            out.add(m.getSubject());
        }
        return out;
    }

    String body(int index) throws Exception {
        return ((String) mail.getReceivedMessages()[index].getContent()).replace("\r\n", "\n");
    }

    @Test
    @DisplayName("mails and webhooks: failure, stale without any backup running, recovery; nothing repeats")
    void alerts() throws Exception {
        Instant t0 = Instant.now();
        Process first = process(t0);
        BackupCommand backup = new BackupCommand(first.session(), io(), first.operations());
        assertThatThrownBy(() -> backup.backup(List.of(), List.of(), null, false, null))
                .hasMessageContaining("gone");
        assertThat(subjects()).containsExactly("[rk CRITICAL] backup of source 'gone' failed");
        assertThat(body(0)).contains("backup of source 'gone' failed").contains("Error: ")
                .contains("missing").contains("What to check: that source 'gone' is reachable");
        assertThat(webhooks).hasSize(1);
        assertThat(webhooks.get(0)).startsWith("{\"text\":\"[rk CRITICAL] backup of source 'gone' failed\\n")
                .contains("\"state\":\"firing\"").contains("\"key\":\"backup-failed:gone\"");

        // Two hours later, nothing has run: status alone finds both sources stale, once.
        Process later = process(t0.plus(Duration.ofHours(2)));
        OpsCommands ops = new OpsCommands(later.operations(), later.session(), io());
        String status = ops.status(false, false);
        assertThat(status).contains("files   RED").contains("gone    RED").contains("source 'files' is stale");
        assertThat(subjects()).containsExactly("[rk CRITICAL] backup of source 'gone' failed",
                "[rk CRITICAL] source 'files' is stale", "[rk CRITICAL] source 'gone' is stale");
        assertThat(body(1)).containsPattern("the last successful backup was 1[01]\\dm ago").contains("stale-after 60m")
                .contains("What to check: that the schedule");
        ops.status(true, false);
        later.operations().status().check();
        assertThat(mail.getReceivedMessages()).hasSize(3);
        assertThat(webhooks).hasSize(3);

        // The source comes back and both back up: the failure and both stale alerts recover.
        Files.createDirectories(dir.resolve("missing"));
        Files.writeString(dir.resolve("missing/b.txt"), "back\n");
        new BackupCommand(later.session(), io(), later.operations()).backup(List.of(), List.of(), null, true, null);
        assertThat(subjects()).hasSize(6).contains("[rk RESOLVED] backup of source 'gone' failed",
                "[rk RESOLVED] source 'files' is stale", "[rk RESOLVED] source 'gone' is stale");
        assertThat(body(5)).startsWith("Recovered: ");
        assertThat(webhooks).hasSize(6).anyMatch(w -> w.contains("\"state\":\"resolved\"")
                && w.contains("stale:files"));
        assertThat(later.catalog().alerts(null, true)).isEmpty();
        assertThat(ops.status(false, false)).contains("files   GREEN").contains("no open alerts");
        assertThat(ops.status(false, true)).contains("rk_source_state{source=\"files\"} 0")
                .contains("rk_last_success_timestamp_seconds{source=\"gone\"}").contains("rk_open_alerts 0");
    }

    @Test
    @DisplayName("an alert that cannot be delivered never fails the backup")
    void deliveryFailure() throws Exception {
        mail.stop();
        hook.stop(0);
        Process p = process(Instant.now());
        String out = new BackupCommand(p.session(), io(), p.operations()).backup(List.of("files"), List.of(), null,
                true, null);
        assertThat(out).contains("\"snapshotId\"");
        assertThat(p.catalog().runs(RunQuery.of(RunKind.BACKUP))).hasSize(1);
        mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        mail.start();
    }

    @Test
    @DisplayName("catalog lost, 'catalog rebuild': snapshots, status and history of backups are back")
    void rebuild() throws Exception {
        Instant t0 = Instant.now();
        Process first = process(t0);
        new BackupCommand(first.session(), io(), first.operations()).backup(List.of("files"), List.of(), null, true,
                null);
        List<io.restorekit.catalog.Run> before = first.catalog().runs(RunQuery.of(RunKind.BACKUP));
        assertThat(before).hasSize(1);
        first.session().close();
        Files.delete(dir.resolve("home/catalog.mv.db"));

        Process after = process(t0.plusSeconds(60));
        OpsCommands ops = new OpsCommands(after.operations(), after.session(), io());
        assertThat(ops.history(null, null, 0, false)).isEqualTo("no runs recorded");
        assertThat(ops.catalogRebuild(false)).contains("1 backup run recorded");
        assertThat(ops.catalogRebuild(false)).contains("0 backup runs recorded").contains("1 already known");
        List<io.restorekit.catalog.Run> runs = after.catalog().runs(RunQuery.of(RunKind.BACKUP));
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).snapshot()).isEqualTo(before.get(0).snapshot());
        assertThat(runs.get(0).bytesRead()).isEqualTo(before.get(0).bytesRead());
        assertThat(runs.get(0).bytesStored()).isEqualTo(before.get(0).bytesStored());
        assertThat(ops.history(null, null, 0, false)).contains("BACKUP").contains("files")
                .contains(before.get(0).snapshot().substring(0, 8));
        assertThat(ops.status(false, false)).contains("files   GREEN");
        assertThat(after.session().repository().snapshots()).extracting(s -> s.id())
                .containsExactly(before.get(0).snapshot());
    }
}
