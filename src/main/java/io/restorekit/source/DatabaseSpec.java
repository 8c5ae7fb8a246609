package io.restorekit.source;

/** A database source (PostgreSQL or MySQL/MariaDB), as restores of either kind need it. */
public interface DatabaseSpec extends SourceSpec {
    /** The JDBC URL of the database backed up. */
    String url();

    /** The user to connect as; null for the URL's or the driver's default. */
    String username();

    /** The password read from the configured environment variable; null when none. */
    String password();

    /** Parallel connections for dumps and loads. */
    int jobs();
}
