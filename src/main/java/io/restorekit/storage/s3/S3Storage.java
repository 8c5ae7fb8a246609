package io.restorekit.storage.s3;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.RkException;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.ObjectExistsException;
import io.restorekit.storage.ObjectNotFoundException;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;
import io.restorekit.storage.StorageUnavailableException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A storage in an S3 bucket ({@code s3://bucket/prefix}), one object per {@link Handle} at
 * {@code prefix/}{@link Handle#path()}.
 *
 * <p>Saves never overwrite: every write is conditional ({@code If-None-Match: *}, on the PUT or on
 * the completion of a multipart upload), so the server refuses a name that exists and the
 * refusal becomes an {@link ObjectExistsException}, also when two writers race. Objects above
 * {@link #MULTIPART_THRESHOLD} are uploaded in parts of {@link #PART_SIZE}, several at once; an
 * upload that fails is aborted, and an unfinished one is never visible.
 *
 * <p>The SDK's own retries are off: a failure to reach the service, throttling and 5xx answers
 * become {@link StorageUnavailableException}s for a retrying wrapper to retry.
 */
public final class S3Storage implements Storage {
    /**
     * Objects larger than this are uploaded in parts. Above the default pack size (16 MiB), so that
     * a pack goes up in one request: the repository keeps several pack saves in flight, and each
     * part costs requests (start, part, completion) and, on many servers, a second write of its
     * bytes when the parts are joined.
     */
    public static final long MULTIPART_THRESHOLD = 32L << 20;
    /** The size of each part but the last of a multipart upload (S3's minimum is 5 MiB). */
    public static final int PART_SIZE = 8 << 20;
    private static final int PART_THREADS = 4;
    /** Pack saves in flight (the repository's) times parts in flight, with room for reads. */
    private static final int MAX_CONNECTIONS = 32;

    private final S3Client client;
    private final String bucket;
    private final String prefix;
    private final String location;
    private final StorageClass storageClass;
    private final ObjectLockMode lockMode;
    private final Duration lockFor;
    private final ExecutorService parts;

    /**
     * A storage at {@code url} ({@code s3://bucket} or {@code s3://bucket/prefix}). Connects lazily:
     * an unreachable service shows on the first call.
     */
    public S3Storage(String url, S3Options options) {
        URI uri = URI.create(url);
        if (!"s3".equals(uri.getScheme()) || uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("'" + url + "' is not an S3 location; expected s3://bucket/prefix");
        }
        this.bucket = uri.getHost();
        this.prefix = trimSlashes(uri.getPath() == null ? "" : uri.getPath());
        this.location = "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
        this.storageClass = options.storageClass() == null ? null : StorageClass.fromValue(options.storageClass());
        this.lockMode = options.lockMode() == null ? null : ObjectLockMode.fromValue(options.lockMode());
        this.lockFor = Duration.ofDays(options.lockDays());
        this.client = client(options);
        AtomicInteger threads = new AtomicInteger();
        this.parts = Executors.newFixedThreadPool(PART_THREADS, r -> {
            Thread t = new Thread(r, "s3-part-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private static S3Client client(S3Options options) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(Apache5HttpClient.builder()
                        .maxConnections(MAX_CONNECTIONS)
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60)))
                .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry()))
                // Many S3-compatible services reject the SDK's default trailing checksums; every
                // object is authenticated by the repository's encryption anyway.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // One SHA-256 over a request's body instead of a signature per 128 KiB chunk: the
                // chunked signing costs both sides CPU on every chunk (plain-HTTP endpoints sign
                // the payload; HTTPS ones do not sign it at all).
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .forcePathStyle(options.pathStyle())
                .region(region(options));
        if (options.endpoint() != null) {
            builder.endpointOverride(options.endpoint());
        } else {
            builder.crossRegionAccessEnabled(true);
        }
        builder.credentialsProvider(credentials(options));
        return builder.build();
    }

    private static Region region(S3Options options) {
        if (options.region() != null) {
            return Region.of(options.region());
        }
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (SdkException e) {
            return Region.US_EAST_1;
        }
    }

    private static AwsCredentialsProvider credentials(S3Options options) {
        if (options.accessKey() != null) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(options.accessKey(), options.secretKey()));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public void save(Handle handle, Payload payload) throws IOException {
        long length = payload.length();
        if (length <= MULTIPART_THRESHOLD) {
            byte[] bytes = payload instanceof Payload.Bytes b ? b.bytes() : readPayload(payload, handle);
            try {
                client.putObject(b -> {
                    b.bucket(bucket).key(key(handle)).ifNoneMatch("*").contentLength(length);
                    if (storageClass != null) {
                        b.storageClass(storageClass);
                    }
                    if (locked(handle)) {
                        // S3 wants a checksum on writes with retention.
                        b.objectLockMode(lockMode).objectLockRetainUntilDate(Instant.now().plus(lockFor))
                                .checksumAlgorithm(ChecksumAlgorithm.CRC32);
                    }
                }, body(bytes));
            } catch (SdkException e) {
                throw translate(e, "save " + handle, handle);
            }
        } else {
            saveInParts(handle, payload);
        }
    }

    private void saveInParts(Handle handle, Payload payload) throws IOException {
        // No existence check first: it would cost every pack a round trip, and the conditional
        // completion refuses an existing name anyway (names are content hashes; repeats are rare).
        String key = key(handle);
        String uploadId = call("start uploading " + handle, handle, () -> client.createMultipartUpload(b -> {
            b.bucket(bucket).key(key);
            if (storageClass != null) {
                b.storageClass(storageClass);
            }
            if (locked(handle)) {
                b.objectLockMode(lockMode).objectLockRetainUntilDate(Instant.now().plus(lockFor))
                        .checksumAlgorithm(ChecksumAlgorithm.CRC32);
            }
        })).uploadId();
        List<Future<CompletedPart>> uploads = new ArrayList<>();
        boolean done = false;
        try {
            Semaphore inFlight = new Semaphore(PART_THREADS);
            try (InputStream in = payload.open()) {
                long remaining = payload.length();
                for (int number = 1; remaining > 0; number++) {
                    int size = (int) Math.min(PART_SIZE, remaining);
                    inFlight.acquire();
                    byte[] part;
                    try {
                        part = readExactly(in, size, handle, payload.length());
                    } catch (IOException | RuntimeException e) {
                        inFlight.release();
                        throw e;
                    }
                    remaining -= size;
                    int partNumber = number;
                    uploads.add(parts.submit(() -> {
                        try {
                            UploadPartResponse uploaded = client.uploadPart(b -> {
                                b.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber)
                                        .contentLength((long) part.length);
                                if (locked(handle)) {
                                    b.checksumAlgorithm(ChecksumAlgorithm.CRC32);
                                }
                            }, body(part));
                            return CompletedPart.builder().partNumber(partNumber).eTag(uploaded.eTag())
                                    .checksumCRC32(uploaded.checksumCRC32()).build();
                        } finally {
                            inFlight.release();
                        }
                    }));
                }
                if (in.read() >= 0) {
                    throw new IOException("payload for " + handle + " is longer than its declared "
                            + payload.length() + " bytes");
                }
            }
            List<CompletedPart> completed = new ArrayList<>();
            for (Future<CompletedPart> upload : uploads) {
                completed.add(upload.get());
            }
            call("finish uploading " + handle, handle, () -> client.completeMultipartUpload(b -> b.bucket(bucket)
                    .key(key).uploadId(uploadId).ifNoneMatch("*").multipartUpload(m -> m.parts(completed))));
            done = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while uploading " + handle + " to " + location);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SdkException sdk) {
                throw translate(sdk, "upload a part of " + handle, handle);
            }
            throw new IOException("could not upload a part of " + handle + " to " + location + ": " + e.getCause(),
                    e.getCause());
        } finally {
            if (!done) {
                uploads.forEach(u -> u.cancel(true));
                try {
                    client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
                } catch (SdkException ignored) {
                    // An upload left behind is invisible and expires with the bucket's lifecycle rules.
                }
            }
        }
    }

    @Override
    public InputStream open(Handle handle, long offset, long length) throws IOException {
        if (offset < 0 || length < -1) {
            throw new IOException("invalid range " + offset + "+" + length + " of " + handle + " in " + location);
        }
        if (length == 0) {
            long size = stat(handle).size();
            if (offset > size) {
                throw beyondEnd(handle, offset, length, size);
            }
            return InputStream.nullInputStream();
        }
        String range = offset == 0 && length < 0 ? null
                : "bytes=" + offset + "-" + (length < 0 ? "" : String.valueOf(offset + length - 1));
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = client.getObject(b -> b.bucket(bucket).key(key(handle)).range(range));
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                long size = stat(handle).size();
                if (length < 0 && offset == size) {
                    return InputStream.nullInputStream();
                }
                throw beyondEnd(handle, offset, length, size);
            }
            throw translate(e, "read " + handle, handle);
        } catch (SdkException e) {
            throw translate(e, "read " + handle, handle);
        }
        // S3 shortens a range that runs past the end instead of refusing it.
        Long got = in.response().contentLength();
        if (length >= 0 && (got == null || got != length)) {
            in.abort();
            throw beyondEnd(handle, offset, length, totalSize(in.response()));
        }
        return in;
    }

    @Override
    public FileInfo stat(Handle handle) throws IOException {
        return new FileInfo(handle, call("stat " + handle, handle,
                () -> client.headObject(b -> b.bucket(bucket).key(key(handle)))).contentLength());
    }

    /** Aborts multipart uploads under this repository's prefix that were started before {@code before}. */
    @Override
    public int cleanup(java.time.Instant before) throws IOException {
        String under = prefix.isEmpty() ? "" : prefix + "/";
        return call("abort unfinished uploads", null, () -> {
            int aborted = 0;
            for (var upload : client.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(under)).uploads()) {
                if (upload.initiated() != null && upload.initiated().isBefore(before)) {
                    client.abortMultipartUpload(b -> b.bucket(bucket).key(upload.key()).uploadId(upload.uploadId()));
                    aborted++;
                }
            }
            return aborted;
        });
    }

    /** With {@code object-lock} configured, every object but locks and marks is written under retention. */
    @Override
    public boolean supportsRetention() {
        return lockMode != null;
    }

    @Override
    public Instant retainUntil(Handle handle) throws IOException {
        return call("read the retention of " + handle, handle,
                () -> client.headObject(b -> b.bucket(bucket).key(key(handle)))).objectLockRetainUntilDate();
    }

    @Override
    public void list(Kind kind, Consumer<FileInfo> each) throws IOException {
        String listed = kind == Kind.CONFIG ? key(Handle.config()) : key(kind.folder()) + "/";
        int base = prefix.isEmpty() ? 0 : prefix.length() + 1;
        call("list " + kind.folder(), null, () -> {
            for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(listed)).contents()) {
                String path = object.key().substring(base);
                Handle handle = handle(kind, path);
                if (handle != null) {
                    each.accept(new FileInfo(handle, object.size()));
                }
            }
            return null;
        });
    }

    @Override
    public void remove(Handle handle) throws IOException {
        call("remove " + handle, handle, () -> client.deleteObject(b -> b.bucket(bucket).key(key(handle))));
    }

    @Override
    public void close() {
        parts.shutdownNow();
        client.close();
    }

    @Override
    public String toString() {
        return "S3Storage[" + location + "]";
    }

    /** Whether new objects of this handle's kind get retention; locks and prune's marks must stay removable. */
    private boolean locked(Handle handle) {
        return lockMode != null && handle.kind() != Kind.LOCK && handle.kind() != Kind.MARK;
    }

    /** The handle whose path is {@code path}, or null for keys that are no object of {@code kind}. */
    private static Handle handle(Kind kind, String path) {
        if (kind == Kind.CONFIG) {
            return path.equals(Handle.config().path()) ? Handle.config() : null;
        }
        String name = path.substring(path.lastIndexOf('/') + 1);
        try {
            Handle handle = new Handle(kind, name);
            return handle.path().equals(path) ? handle : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private String key(Handle handle) {
        return key(handle.path());
    }

    private String key(String path) {
        return prefix.isEmpty() ? path : prefix + "/" + path;
    }

    /** A request body over {@code bytes} without the copy {@link RequestBody#fromBytes} makes. */
    private static RequestBody body(byte[] bytes) {
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes), bytes.length,
                "application/octet-stream");
    }

    private static byte[] readPayload(Payload payload, Handle handle) throws IOException {
        try (InputStream in = payload.open()) {
            byte[] bytes = readExactly(in, (int) payload.length(), handle, payload.length());
            if (in.read() >= 0) {
                throw new IOException("payload for " + handle + " is longer than its declared "
                        + payload.length() + " bytes");
            }
            return bytes;
        }
    }

    private static byte[] readExactly(InputStream in, int size, Handle handle, long declared) throws IOException {
        byte[] bytes = in.readNBytes(size);
        if (bytes.length != size) {
            throw new IOException("payload for " + handle + " ended before its declared " + declared + " bytes");
        }
        return bytes;
    }

    private static long totalSize(GetObjectResponse response) {
        String range = response.contentRange();
        if (range != null && range.contains("/")) {
            try {
                return Long.parseLong(range.substring(range.indexOf('/') + 1).trim());
            } catch (NumberFormatException ignored) {
                // fall through
            }
        }
        return -1;
    }

    private IOException beyondEnd(Handle handle, long offset, long length, long size) {
        return new IOException("range " + offset + "+" + length + " is beyond the end of " + handle
                + (size >= 0 ? " (" + size + " bytes)" : "") + " in " + location);
    }

    private <T> T call(String what, Handle handle, SdkCall<T> call) throws IOException {
        try {
            return call.run();
        } catch (SdkException e) {
            throw translate(e, what, handle);
        }
    }

    private IOException translate(SdkException e, String what, Handle handle) {
        if (e instanceof AbortedException || Thread.currentThread().isInterrupted()) {
            InterruptedIOException interrupted = new InterruptedIOException("interrupted while trying to " + what
                    + " in " + location);
            interrupted.initCause(e);
            return interrupted;
        }
        if (!(e instanceof S3Exception s3)) {
            return new StorageUnavailableException("cannot reach " + location + " to " + what + ": "
                    + e.getMessage() + "; check the endpoint, the network and the credentials", e);
        }
        int status = s3.statusCode();
        String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
        if ("NoSuchBucket".equals(code)) {
            return new StorageUnavailableException("bucket '" + bucket + "' does not exist (" + what + " in "
                    + location + "); create it, or correct the repository url", e);
        }
        if (status == 404 && handle != null) {
            return new ObjectNotFoundException(handle + " does not exist in " + location, e);
        }
        if (status == 412 && handle != null) {
            return exists(handle, e);
        }
        if (lockMode != null && handle != null && locked(handle) && (status == 501
                || (status == 400 && messageOf(s3).contains("Object Lock")))) {
            throw new RkException(ErrorCode.BAD_INPUT, "bucket '" + bucket + "' does not support Object Lock, which "
                    + location + " is configured to use (" + status + (code == null ? "" : " " + code) + "); create"
                    + " the bucket with Object Lock enabled, or remove object-lock from the configuration", e);
        }
        if (status == 401 || status == 403) {
            return new StorageUnavailableException("access denied to " + what + " in " + location + " ("
                    + code + "); check the credentials (access-key-env/secret-key-env or the AWS default chain)"
                    + " and the bucket's policy", e);
        }
        if (status >= 500 || status == 429) {
            return new StorageUnavailableException(location + " answered " + status + (code == null ? "" : " " + code)
                    + " to " + what + "; try again later", e);
        }
        return new IOException("could not " + what + " in " + location + ": " + status
                + (code == null ? "" : " " + code) + " " + messageOf(s3), e);
    }

    private static String messageOf(S3Exception e) {
        return e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null ? ""
                : e.awsErrorDetails().errorMessage();
    }

    private ObjectExistsException exists(Handle handle, Throwable cause) {
        return new ObjectExistsException(handle + " already exists in " + location, cause);
    }

    private static String trimSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }

    @FunctionalInterface
    private interface SdkCall<T> {
        T run();
    }
}
