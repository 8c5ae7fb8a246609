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

    @Bean(destroyMethod = "close")
    RepositorySession repositorySession(ConfigLoader loader, StorageFactory storages, PasswordProvider passwords) {
        RepositorySession early = EarlyOpen.take();
        return early != null ? early : new RepositorySession(loader, storages, passwords);
    }
}
