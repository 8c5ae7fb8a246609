package io.restorekit.source;

/** A configured source as the services see it (built from restorekit.yml by the config layer). */
public interface SourceSpec {
    /** The unique source name, as used by {@code --source}. */
    String name();

    /** {@code files}, {@code postgres} or {@code mysql}. */
    String type();
}
