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
        Launcher.beforeExit();
        System.exit(code);
    }
}
