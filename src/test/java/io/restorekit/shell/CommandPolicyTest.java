package io.restorekit.shell;

import io.restorekit.catalog.AuditEntry;
import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.config.ConfigLoader;
import io.restorekit.config.PasswordProvider;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.StorageFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Roles and the audit trail as every command passes through them. */
class CommandPolicyTest {

    @Test
    @DisplayName("operators back up, verify, list and dry-run; master is needed for --yes, in-place, forget/prune, keys")
    void required() {
        assertThat(CommandPolicy.required(List.of("backup", "--source", "db"))).isEqualTo(CommandPolicy.Role.OPERATOR);
        assertThat(CommandPolicy.required(List.of("prune", "--dry-run"))).isEqualTo(CommandPolicy.Role.OPERATOR);
        assertThat(CommandPolicy.required(List.of("restore", "--source", "db", "--target", "/tmp/x")))
                .isEqualTo(CommandPolicy.Role.OPERATOR);
        assertThat(CommandPolicy.required(List.of("restore", "--source", "db", "--in-place", "--dry-run")))
                .isEqualTo(CommandPolicy.Role.MASTER);
        assertThat(CommandPolicy.required(List.of("prune"))).isEqualTo(CommandPolicy.Role.MASTER);
        assertThat(CommandPolicy.required(List.of("key", "add"))).isEqualTo(CommandPolicy.Role.MASTER);
        assertThat(CommandPolicy.required(List.of("key", "list"))).isEqualTo(CommandPolicy.Role.OPERATOR);
        assertThat(CommandPolicy.required(List.of("version"))).isEqualTo(CommandPolicy.Role.NONE);
    }

    @Test
    @DisplayName("secrets never reach the audit trail")
    void redact() {
        assertThat(CommandPolicy.redact(List.of("restore", "--target",
                "jdbc:postgresql://h/app?user=a&password=s3cret", "--password", "hunter2", "--token=abc")))
                .isEqualTo("restore --target jdbc:postgresql://h/app?user=a&password=*** --password *** --token=***");
        assertThat(CommandPolicy.redact(List.of("copy", "sftp://bob:pw@host/x", "runbook", "run", "--param",
                "DB_PASSWORD=x"))).isEqualTo("copy sftp://bob:***@host/x runbook run --param DB_PASSWORD=***");
    }

    @Test
    @DisplayName("group membership comes from the group database")
    void groups(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("passwd"), "alice:x:1000:1000::/home/alice:/bin/sh\n");
        Files.writeString(dir.resolve("group"), "alice:x:1000:\nops:x:2000:bob,alice\nwheel:x:10:root\n");
        assertThat(CommandPolicy.groupsOf("alice", dir.resolve("group"), dir.resolve("passwd")))
                .containsExactlyInAnyOrder("alice", "ops");
    }

    @Test
    @DisplayName("a forbidden command exits 7, names the role it needs, and is audited")
    void denied(@TempDir Path dir) throws Exception {
        String user = System.getProperty("user.name");
        Files.writeString(dir.resolve("restorekit.yml"), """
                repository: {url: repo}
                roles: {master: [somebody-else], operator: [%s]}
                """.formatted(user));
        Map<String, String> env = Map.of("RK_CONFIG", dir.resolve("restorekit.yml").toString(),
                "RK_HOME", dir.resolve("home").toString());
        RepositorySession session = new RepositorySession(new ConfigLoader(env, dir), new StorageFactory(),
                new PasswordProvider(env, prompt -> null));
        InMemoryCatalog catalog = new InMemoryCatalog();
        CommandGate gate = new CommandGate(session, catalog);
        gate.check(List.of("backup"));
        List<String> prune = List.of("prune");
        assertThat(CommandsTest.exit(() -> gate.check(prune))).isEqualTo(7);
        String message = CommandsTest.message(() -> gate.check(prune));
        assertThat(message).contains("user '" + user + "'").contains("master role").contains("roles:");
        try {
            gate.check(prune);
        } catch (RuntimeException e) {
            gate.audit(prune, Failure.of(e));
        }
        AuditEntry entry = catalog.audits(null, 0).get(0);
        assertThat(entry.command()).isEqualTo("prune");
        assertThat(entry.outcome()).isEqualTo("NOT_PERMITTED");
        assertThat(entry.exitCode()).isEqualTo(7);
        assertThat(entry.actor().user()).isEqualTo(user);
        assertThat(Set.of(entry.message())).allMatch(m -> m.contains("may not run 'prune'"));
    }
}
