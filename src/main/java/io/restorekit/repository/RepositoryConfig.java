package io.restorekit.repository;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;

/**
 * The repository configuration object (docs/repository-format.md §5), fixed at creation.
 *
 * @param id the random repository id (64 hex)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RepositoryConfig(int version, String id, Instant created, ChunkerParams chunker,
                               @JsonProperty("pack-size") int packSize, String compression) {

    public static final int VERSION = 1;

    /** Chunk sizes in bytes and the secret seed of the gear table (64 hex). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ChunkerParams(int min, int avg, int max, @JsonProperty("gear-seed") String gearSeed) {
    }
}
