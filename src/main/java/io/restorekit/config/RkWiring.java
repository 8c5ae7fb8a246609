package io.restorekit.config;

import io.restorekit.catalog.Catalog;
import io.restorekit.catalog.InMemoryCatalog;
import org.springframework.context.annotation.Bean;
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

    /** The operations catalog; process-local until the JDBC catalog is configured. */
    @Bean(destroyMethod = "close")
    Catalog catalog() {
        return new InMemoryCatalog();
    }

    @Bean(destroyMethod = "close")
    RepositorySession repositorySession(ConfigLoader loader, StorageFactory storages, PasswordProvider passwords) {
        RepositorySession early = EarlyOpen.take();
        return early != null ? early : new RepositorySession(loader, storages, passwords);
    }
}
