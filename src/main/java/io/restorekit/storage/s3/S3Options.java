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
 */
public record S3Options(URI endpoint, String region, boolean pathStyle, String accessKey, String secretKey,
                        String storageClass) {

    public S3Options {
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("give both an access key and a secret key, or neither");
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
                + storageClass + "]";
    }
}
