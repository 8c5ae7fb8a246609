package io.restorekit.shell;

import io.restorekit.shell.ChildRk.Run;

import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.storage.local.LocalStorage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code drill} and {@code doctor} through the real entry point in a child JVM: exit codes and output. */
class DrillExitCodeTest {
    @TempDir
    Path dir;

    Run rk(String... args) throws Exception {
        return ChildRk.run(dir, java.util.Map.of("RK_PASSWORD", "pw"), 120, args);
    }

    @Test
    @DisplayName("a failed drill prints its report and exits 3; an unknown drill id exits 2; doctor runs")
    void exitCodes() throws Exception {
        Files.createDirectories(dir.resolve("uploads"));
        Files.writeString(dir.resolve("restorekit.yml"), """
                repository: {url: repo}
                sources:
                  - {name: uploads, type: files, path: uploads}
                """);
        Repository.init(LocalStorage.create(dir.resolve("repo")), "pw".toCharArray(),
                new RepositoryOptions(RepositoryOptions.KdfParams.cheap(), 1 << 20)).close();

        Run drill = rk("drill", "run");
        assertThat(drill.code()).as(drill.err()).isEqualTo(3);
        assertThat(drill.out()).contains("**Result: FAILED**", "| **FAILED** | uploads | a snapshot to restore |");
        assertThat(drill.err()).startsWith("rk: drill #1 failed 1 check, first uploads: a snapshot to restore:");

        Run report = rk("drill", "report", "7");
        assertThat(report.code()).as(report.err()).isEqualTo(2);
        assertThat(report.err()).startsWith("rk: no drill #7 in the catalog");

        Run doctor = rk("doctor");
        assertThat(doctor.code()).as(doctor.err()).isEqualTo(0);
        assertThat(doctor.out()).containsPattern("ok\\s+repository\\s+").containsPattern("ok\\s+leftovers\\s+");
    }
}
