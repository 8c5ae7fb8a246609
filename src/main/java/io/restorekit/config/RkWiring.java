package io.restorekit.config;

import io.restorekit.catalog.Catalog;
import org.springframework.context.annotation.Bean;
import java.time.Clock;
import org.springframework.context.annotation.Configuration;

/** The beans the commands share: one configuration and one open repository per process. */
@Configuration(proxyBeanMethods = false)
public class RkWiring {
    @Bean
    ConfigLoader configLoader() {
        return ConfigLoader.fromEnvironment();
    }

    @Bean
    StorageFactory storageFactory() {
        return new StorageFactory();
    }

    @Bean
    PasswordProvider passwordProvider() {
        return PasswordProvider.fromEnvironment();
    }

    /** The operations catalog of {@code catalog.url}, opened when a command first needs it. */
    @Bean(destroyMethod = "close")
    Catalog catalog(RepositorySession session, ConfigLoader loader) {
        return Operations.lazyCatalog(session, loader);
    }

    @Bean
    Operations operations(RepositorySession session, StorageFactory storages, ConfigLoader loader, Catalog catalog) {
        return new Operations(session, storages, loader, catalog, Clock.systemUTC());
    }

    /**
     * What the daemon and drills call after each job and every few minutes: the periodic rules (stale
     * sources, free disk, copy lag) and the newest drill's result (failed, slower than its RTO). An
     * alert is sent once when its condition starts and once when it clears, however often this runs.
     */
    @Bean
    io.restorekit.daemon.AlertHook alertHook(Operations operations, Catalog catalog) {
        return now -> {
            operations.status().check();
            catalog.runs(new io.restorekit.catalog.RunQuery(io.restorekit.catalog.RunKind.DRILL, null, null, 1))
                    .stream().filter(r -> r.ended() != null).findFirst()
                    .ifPresent(r -> operations.alerts().afterRun(r));
        };
    }

    @Bean(destroyMethod = "close")
    RepositorySession repositorySession(ConfigLoader loader, StorageFactory storages, PasswordProvider passwords) {
        return EarlyOpen.session(loader, storages, passwords);
    }
}
