package io.restorekit;

import io.restorekit.shell.Launcher;
import io.restorekit.shell.ShellWiring;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Import;

/** Spring Boot entry point; {@link ShellWiring} chooses the auto-configurations. */
@SpringBootConfiguration
@ComponentScan
@Import(ShellWiring.class)
public class Application {
    public static void main(String[] args) {
        int code = Launcher.run(Application.class, args);
        if (Boolean.getBoolean("rk.aot.record")) {
            // This run also records the start-up cache (shell/rk): the JVM then prints "AOTConfiguration
            // recorded: FILE" on standard output as it exits, after the command's own output (a --json
            // document). Closing System.out points descriptor 1 at /dev/null, where that line goes.
            System.out.flush();
            System.out.close();
        }
        System.exit(code);
    }
}
