package io.restorekit.shell;

import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.UserInterruptException;
import org.jline.utils.AttributedString;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.context.annotation.Bean;
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
import org.springframework.context.annotation.Configuration;
import org.springframework.shell.CommandNotFound;
import org.springframework.shell.context.InteractionMode;
import org.springframework.shell.context.ShellContext;
import org.springframework.shell.jline.PromptProvider;
import org.springframework.shell.result.CommandNotFoundMessageProvider;

import java.util.Locale;
import java.util.Optional;

/**
 * Spring Shell wiring: only the auto-configurations the shell needs are imported (no
 * classpath-wide scan of candidates: start-up time is part of the product), the commands of this
 * package, and the beans that make the shell speak like the rest of rk.
 */
@Configuration(proxyBeanMethods = false)
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
public class ShellWiring {

    /**
     * An unknown command is one {@code rk: ...} line on stderr. In a one-command run the launcher
     * prints it (with exit code 2); the interactive shell prints it here and carries on.
     */
    @Bean
    CommandNotFoundMessageProvider commandNotFoundMessageProvider(ShellContext shellContext) {
        return context -> {
            if (shellContext.getInteractionMode() == InteractionMode.INTERACTIVE) {
                Throwable error = context.error() != null ? context.error() : new CommandNotFound(context.commands());
                Launcher.report(error, System.err);
            }
            return "";
        };
    }

    /** Questions are asked only in the interactive shell, on its line reader. */
    @Bean
    Interaction interaction(ShellContext shellContext, ObjectProvider<LineReader> lineReader) {
        return new Interaction(Interaction.currentStdout(), System.err, Interaction.stdoutIsTerminal(), question -> {
            if (shellContext.getInteractionMode() != InteractionMode.INTERACTIVE) {
                return Optional.empty();
            }
            try {
                String answer = lineReader.getObject().readLine(question + " [y/N] ").strip().toLowerCase(Locale.ROOT);
                return Optional.of(answer.equals("y") || answer.equals("yes"));
            } catch (UserInterruptException | EndOfFileException e) {
                return Optional.of(false);
            }
        });
    }

    /**
     * Replaces Spring Shell's {@code shell} bean with {@link AuditedShell}, so that the roles check
     * and the audit trail surround every command in one place.
     */
    @Bean
    static BeanDefinitionRegistryPostProcessor auditedShell() {
        return new BeanDefinitionRegistryPostProcessor() {
            @Override
            public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
                if (registry.containsBeanDefinition("shell")) {
                    registry.removeBeanDefinition("shell");
                }
                RootBeanDefinition shell = new RootBeanDefinition(AuditedShell.class);
                shell.setAutowireMode(AbstractBeanDefinition.AUTOWIRE_CONSTRUCTOR);
                registry.registerBeanDefinition("shell", shell);
            }

            @Override
            public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
            }
        };
    }

    @Bean
    PromptProvider promptProvider() {
        return () -> new AttributedString("rk> ");
    }
}
