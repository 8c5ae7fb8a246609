package io.restorekit;

import io.restorekit.shell.Launcher;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.shell.boot.ApplicationRunnerAutoConfiguration;
import org.springframework.shell.boot.CommandCatalogAutoConfiguration;
import org.springframework.shell.boot.CompleterAutoConfiguration;
import org.springframework.shell.boot.ExitCodeAutoConfiguration;
import org.springframework.shell.boot.JLineAutoConfiguration;
import org.springframework.shell.boot.JLineShellAutoConfiguration;
import org.springframework.shell.boot.LineReaderAutoConfiguration;
import org.springframework.shell.boot.ParameterResolverAutoConfiguration;
import org.springframework.shell.boot.ShellContextAutoConfiguration;
import org.springframework.shell.boot.ShellRunnerAutoConfiguration;
import org.springframework.shell.boot.SpringShellAutoConfiguration;
import org.springframework.shell.boot.StandardAPIAutoConfiguration;
import org.springframework.shell.boot.StandardCommandsAutoConfiguration;
import org.springframework.shell.boot.ThemingAutoConfiguration;
import org.springframework.shell.boot.UserConfigAutoConfiguration;
import org.springframework.shell.command.annotation.CommandScan;

/**
 * Spring Boot entry point. Only the auto-configurations the shell needs are imported (no
 * classpath-wide scan of candidates): start-up time is part of the product.
 */
@SpringBootConfiguration
@ComponentScan
@CommandScan
@ImportAutoConfiguration({
        PropertyPlaceholderAutoConfiguration.class,
        SpringShellAutoConfiguration.class,
        ShellContextAutoConfiguration.class,
        ShellRunnerAutoConfiguration.class,
        ApplicationRunnerAutoConfiguration.class,
        CommandCatalogAutoConfiguration.class,
        LineReaderAutoConfiguration.class,
        CompleterAutoConfiguration.class,
        UserConfigAutoConfiguration.class,
        JLineAutoConfiguration.class,
        JLineShellAutoConfiguration.class,
        ParameterResolverAutoConfiguration.class,
        StandardAPIAutoConfiguration.class,
        StandardCommandsAutoConfiguration.class,
        ThemingAutoConfiguration.class,
        ExitCodeAutoConfiguration.class})
public class Application {
    public static void main(String[] args) {
        System.exit(Launcher.run(Application.class, args));
    }
}
