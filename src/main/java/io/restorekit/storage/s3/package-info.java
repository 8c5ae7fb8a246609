/** A storage backend on S3 and S3-compatible object stores, through the AWS SDK for Java v2. */
package io.restorekit.storage.s3;
