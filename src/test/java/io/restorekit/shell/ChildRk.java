package io.restorekit.shell;

import io.restorekit.Application;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real entry point in a child JVM, as shell/rk runs it: working folder {@code dir}, {@code RK_HOME}
 * {@code dir/home}, {@code RK_CONFIG} {@code dir/restorekit.yml}, stdin empty, stdout and stderr captured.
 */
final class ChildRk {
    record Run(int code, String out, String err) {
    }

    private ChildRk() {
    }

    static Run run(Path dir, Map<String, String> env, int timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Application.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
        pb.environment().put("RK_HOME", dir.resolve("home").toString());
        pb.environment().put("RK_CONFIG", dir.resolve("restorekit.yml").toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(timeoutSeconds, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), Files.readString(dir.resolve("out"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
    }
}
