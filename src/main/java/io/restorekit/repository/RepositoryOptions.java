package io.restorekit.repository;

/**
 * Choices made when a repository is created.
 *
 * @param kdf       key derivation parameters for the password (cheap ones only in tests)
 * @param packSize  target pack size in bytes
 */
public record RepositoryOptions(KdfParams kdf, int packSize) {
    public static RepositoryOptions defaults() {
        return new RepositoryOptions(KdfParams.argon2idDefault(), 16 << 20);
    }

    /**
     * Password hashing: {@code argon2id} (memoryKib, iterations, parallelism) or {@code scrypt}
     * (n, r, p; stored as memoryKib=N, iterations=r, parallelism=p).
     */
    public record KdfParams(String algorithm, int memoryKib, int iterations, int parallelism) {
        public static KdfParams argon2idDefault() {
            return new KdfParams("argon2id", 65536, 3, 2);
        }

        /** Fast and weak: for tests and the demo only. */
        public static KdfParams cheap() {
            return new KdfParams("argon2id", 1024, 1, 1);
        }
    }
}
