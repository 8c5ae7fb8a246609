package io.restorekit.config;

import io.restorekit.source.SourceSpec;

import java.util.List;

/**
 * A {@code postgres} or {@code mysql} source as configured.
 *
 * @param passwordEnv  environment variable holding the database password, or null
 * @param tenantColumn the column that names a row's tenant ({@code tenant_id} by default)
 */
public record DatabaseSourceConfig(String name, String type, String url, String username, String passwordEnv,
                                   String tenantColumn, List<String> excludeTables) implements SourceSpec {
    public DatabaseSourceConfig {
        excludeTables = List.copyOf(excludeTables);
    }
}
