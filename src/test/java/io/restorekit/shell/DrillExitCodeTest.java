package io.restorekit.shell;

import io.restorekit.Application;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryOptions;
import io.restorekit.storage.local.LocalStorage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code drill} and {@code doctor} through the real entry point in a child JVM: exit codes and output. */
class DrillExitCodeTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    Run rk(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Application.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
        pb.environment().put("RK_HOME", dir.resolve("home").toString());
        pb.environment().put("RK_CONFIG", dir.resolve("restorekit.yml").toString());
        pb.environment().put("RK_PASSWORD", "pw");
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), Files.readString(dir.resolve("out"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
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
