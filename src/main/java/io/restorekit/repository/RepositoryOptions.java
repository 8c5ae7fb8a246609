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
        /**
         * Argon2id with 19 MiB, 2 passes, 1 lane (the OWASP minimum): memory-hard, yet it costs
         * about 0.1-0.25 s warm and 0.6-0.9 s in a fresh JVM, paid by every command at open.
         */
        public static KdfParams argon2idDefault() {
            return new KdfParams("argon2id", 19456, 2, 1);
        }

        /** Fast and weak: for tests and the demo only. */
        public static KdfParams cheap() {
            return new KdfParams("argon2id", 1024, 1, 1);
        }
    }
}
