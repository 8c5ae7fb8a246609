package io.restorekit.config;

/**
 * Where a repository lives: the primary one ({@code repository:}) or a copy ({@code copies:}).
 *
 * @param name "primary" for the primary repository, the configured name for a copy
 * @param url  a local path (absolute or relative to the configuration file),
 *             {@code s3://bucket/prefix} or {@code sftp://user@host[:port]/path}
 * @param s3   S3 options, or null
 * @param sftp SFTP options, or null
 */
public record RepositoryConfig(String name, String url, S3 s3, Sftp sftp) {

    /**
     * @param accessKeyEnv environment variable holding the access key; null for the AWS default chain
     * @param secretKeyEnv environment variable holding the secret key; null for the AWS default chain
     * @param storageClass storage class of new objects (STANDARD_IA, GLACIER_IR, ...); null for the bucket's default
     * @param objectLock   retention of new objects, or null
     */
    public record S3(String endpoint, String region, boolean pathStyle, String accessKeyEnv, String secretKeyEnv,
                     String storageClass, ObjectLock objectLock) {
        public S3(String endpoint, String region, boolean pathStyle, String accessKeyEnv, String secretKeyEnv,
                  String storageClass) {
            this(endpoint, region, pathStyle, accessKeyEnv, secretKeyEnv, storageClass, null);
        }
    }

    /**
     * S3 Object Lock retention of new objects ({@code object-lock: {mode: COMPLIANCE, days: 30}}).
     *
     * @param mode COMPLIANCE or GOVERNANCE
     * @param days how long each object cannot be deleted or overwritten
     */
    public record ObjectLock(String mode, int days) {
    }

    /** @param passwordEnv environment variable holding the SSH password, or null (key authentication) */
    public record Sftp(String identityFile, String knownHosts, String passwordEnv) {
    }
}
