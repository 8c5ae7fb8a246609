/** PostgreSQL over JDBC: consistent parallel COPY dumps, the schema read from the catalog, and restores. */
package io.restorekit.source.postgres;
