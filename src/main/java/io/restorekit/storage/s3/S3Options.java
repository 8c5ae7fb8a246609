package io.restorekit.storage.s3;

import java.net.URI;

/**
 * How to reach an S3 bucket.
 *
 * @param endpoint     the service URL for S3-compatible services (MinIO, Ceph, ...); null for AWS
 * @param region       the region; null to take it from the AWS default chain (us-east-1 when unset)
 * @param pathStyle    {@code http://host/bucket/key} instead of {@code http://bucket.host/key}
 * @param accessKey    the access key; null (with {@code secretKey}) for the AWS default credential chain
 * @param secretKey    the secret key, or null
 * @param storageClass the storage class of new objects ({@code STANDARD_IA}, {@code GLACIER_IR}, ...), or null
 * @param lockMode     Object Lock mode of new objects ({@code COMPLIANCE} or {@code GOVERNANCE}), or null
 * @param lockDays     days of Object Lock retention of new objects (with {@code lockMode})
 */
public record S3Options(URI endpoint, String region, boolean pathStyle, String accessKey, String secretKey,
                        String storageClass, String lockMode, int lockDays) {

    public S3Options(URI endpoint, String region, boolean pathStyle, String accessKey, String secretKey,
                     String storageClass) {
        this(endpoint, region, pathStyle, accessKey, secretKey, storageClass, null, 0);
    }

    public S3Options {
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("give both an access key and a secret key, or neither");
        }
        if (lockMode != null && lockDays < 1) {
            throw new IllegalArgumentException("Object Lock retention needs at least 1 day, not " + lockDays);
        }
    }

    /** Options for AWS S3 with the default region and credentials. */
    public static S3Options aws() {
        return new S3Options(null, null, false, null, null, null);
    }

    @Override
    public String toString() {
        return "S3Options[endpoint=" + endpoint + ", region=" + region + ", pathStyle=" + pathStyle
                + ", credentials=" + (accessKey == null ? "default chain" : "given") + ", storageClass="
                + storageClass + ", objectLock=" + (lockMode == null ? "none" : lockMode + " " + lockDays + " days") + "]";
    }
}
