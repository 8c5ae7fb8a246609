package io.restorekit.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code runbooks:} and {@code drill.runbook} in restorekit.yml. */
class RunbookConfigTest {
    private final ConfigLoader loader = new ConfigLoader(Map.of("RK_HOME", "/var/lib/rk"), Path.of("/home/op"));

    private RkConfig parse(String yaml) {
        return loader.parse("restorekit.yml", "repository: {url: /backups}\n" + yaml, Path.of("/etc/app-rk"));
    }

    @Test
    @DisplayName("a remote over SSH with its key and known_hosts; drill.runbook names a runbook")
    void remoteAndDrillRunbook() {
        RkConfig c = parse("""
                runbooks:
                  repository: ssh://git@git.example.com:2222/ops/runbooks.git
                  identity-file: ~/.ssh/id_ed25519
                  known-hosts: ~/.ssh/known_hosts
                drill:
                  runbook: monthly-drill
                """);
        assertThat(c.runbooks()).isEqualTo(new RkConfig.Runbooks("ssh://git@git.example.com:2222/ops/runbooks.git",
                "/home/op/.ssh/id_ed25519", "/home/op/.ssh/known_hosts", null));
        assertThat(c.drill().runbook()).isEqualTo("monthly-drill");
        assertThat(c.drill().target()).isEqualTo("embedded");
    }

    @Test
    @DisplayName("a relative folder is resolved against the configuration's folder; the default is RK_HOME/runbooks")
    void localFolders() {
        assertThat(parse("runbooks: {repository: ops/runbooks}\n").runbooks().repository())
                .isEqualTo("/etc/app-rk/ops/runbooks");
        assertThat(parse("").runbooks()).isEqualTo(new RkConfig.Runbooks("/var/lib/rk/runbooks"));
        assertThat(parse("").drill().runbook()).isNull();
        assertThat(parse("runbooks: {repository: 'git@git.example.com:ops/runbooks.git'}\n").runbooks().repository())
                .isEqualTo("git@git.example.com:ops/runbooks.git");
    }

    @Test
    @DisplayName("a drill.runbook that is not a runbook name, or an unknown URL scheme, is refused with the key")
    void invalid() {
        assertThatThrownBy(() -> parse("drill: {runbook: Monthly Drill.rk}\n"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("drill.runbook")
                .hasMessageContaining("expected the name of a runbook");
        assertThatThrownBy(() -> parse("runbooks: {repository: 'ftp://host/runbooks'}\n"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("runbooks.repository")
                .hasMessageContaining("expected a folder, or an ssh://, https:// or file:// Git URL");
        assertThatThrownBy(() -> parse("runbooks: {repository: /x, colour: blue}\n"))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("colour");
    }
}
