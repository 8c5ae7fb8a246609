package io.restorekit.shell;

import io.restorekit.catalog.Catalog;
import io.restorekit.config.RepositorySession;
import io.restorekit.config.RkConfig;
import io.restorekit.runbook.GitRunbookStore;
import io.restorekit.runbook.RunbookParser;
import io.restorekit.runbook.RunbookService;
import io.restorekit.runbook.RunbookStore;
import io.restorekit.runbook.RunbookStoreSettings;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The {@link RunbookService} of this process: its store opened on first use from
 * {@code runbooks.repository} (reopened when the configuration changes), the catalog, and steps
 * run in this process by {@link ShellStepExecutor}. The drill runs {@code drill.runbook} through
 * this same bean.
 */
@Configuration(proxyBeanMethods = false)
public class RunbookWiring {

    @Bean(destroyMethod = "close")
    LazyStore runbookStore(RepositorySession session) {
        return new LazyStore(session);
    }

    @Bean
    RunbookService runbookService(LazyStore store, Catalog catalog, ShellStepExecutor executor) {
        return new RunbookService(store, catalog, executor, Clock.systemDefaultZone(), () -> {
            Set<String> commands = new TreeSet<>(RunbookParser.CONTRACT_COMMANDS);
            commands.addAll(executor.commandNames());
            return commands;
        });
    }

    /** Opens the store when first needed; without a configuration file, the default store under RK_HOME. */
    static final class LazyStore implements Supplier<RunbookStore>, AutoCloseable {
        private final RepositorySession session;
        private RunbookStoreSettings settings;
        private RunbookStore store;

        LazyStore(RepositorySession session) {
            this.session = session;
        }

        @Override
        public synchronized RunbookStore get() {
            RunbookStoreSettings wanted = settings();
            if (store == null || !wanted.equals(settings)) {
                close();
                store = GitRunbookStore.open(wanted);
                settings = wanted;
            }
            return store;
        }

        private RunbookStoreSettings settings() {
            Path home = session.home();
            boolean configured = session.configured();
            RkConfig.Runbooks runbooks = configured ? session.config().runbooks()
                    : new RkConfig.Runbooks(home.resolve("runbooks").toString());
            String password = runbooks.passwordEnv() == null ? null : System.getenv(runbooks.passwordEnv());
            return new RunbookStoreSettings(runbooks.repository(), home, defaults(),
                    runbooks.identityFile() == null ? null : Path.of(runbooks.identityFile()),
                    runbooks.knownHosts() == null ? null : Path.of(runbooks.knownHosts()),
                    System.getenv("RK_RUNBOOKS_USER"), password);
        }

        @Override
        public synchronized void close() {
            if (store != null) {
                store.close();
                store = null;
            }
        }
    }

    /**
     * The project's {@code runbooks/} folder that a new store is created from: {@code RK_RUNBOOKS_DEFAULTS},
     * else found beside the build ({@code target/classes} or the jar in {@code target/}), else the working directory's.
     */
    static Path defaults() {
        String configured = System.getenv("RK_RUNBOOKS_DEFAULTS");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        try {
            Path p = Path.of(RunbookWiring.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (int i = 0; i < 5 && p != null; i++, p = p.getParent()) {
                if (hasRunbooks(p.resolve("runbooks"))) {
                    return p.resolve("runbooks");
                }
            }
        } catch (URISyntaxException | RuntimeException e) {
            // not from a folder or jar we can look beside
        }
        Path here = Path.of("runbooks").toAbsolutePath();
        return hasRunbooks(here) ? here : null;
    }

    private static boolean hasRunbooks(Path dir) {
        try (var files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".rk"));
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }
}
