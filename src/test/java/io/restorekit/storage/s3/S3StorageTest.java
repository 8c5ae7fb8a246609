package io.restorekit.storage.s3;

import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.ObjectExistsException;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;
import io.restorekit.storage.StorageContract;
import io.restorekit.storage.StorageUnavailableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3StorageTest extends StorageContract {
    private static final String BUCKET = "contract";
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    @TempDir
    static Path serverDir;
    static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.start(serverDir);
        server.createBucket(BUCKET);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected Storage newStorage() {
        return new S3Storage("s3://" + BUCKET + "/test-" + PREFIXES.incrementAndGet(), server.options());
    }

    private String prefixOf(Storage storage) {
        return URI.create(storage.location()).getPath().substring(1);
    }

    @Test
    @DisplayName("keeps each object at prefix/<handle path>, packs under data/xx/")
    void layout() throws IOException {
        byte[] content = bytes(1234, 2);
        Handle pack = handleFor(Kind.PACK, content);
        storage.save(pack, Payload.of(content));
        storage.save(Handle.config(), Payload.of(content));
        try (S3Client client = server.client()) {
            List<String> keys = client.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefixOf(storage) + "/"))
                    .contents().stream().map(S3Object::key).toList();
            assertThat(keys).containsExactlyInAnyOrder(prefixOf(storage) + "/config",
                    prefixOf(storage) + "/data/" + pack.name().substring(0, 2) + "/" + pack.name());
        }
    }

    @Test
    @DisplayName("a pack above the multipart threshold goes up in parts, reads back whole and in ranges, never overwritten")
    void multipart() throws IOException {
        byte[] content = bytes((int) S3Storage.MULTIPART_THRESHOLD + 3 * S3Storage.PART_SIZE + 123, 21);
        Handle handle = handleFor(Kind.PACK, content);
        storage.save(handle, streamed(content));

        assertThat(storage.stat(handle).size()).isEqualTo(content.length);
        assertThat(storage.readAll(handle)).isEqualTo(content);
        try (InputStream in = storage.open(handle, S3Storage.PART_SIZE - 10, 20)) {
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, S3Storage.PART_SIZE - 10,
                    S3Storage.PART_SIZE + 10));
        }
        assertThatThrownBy(() -> storage.save(handle, Payload.of(bytes(content.length, 22))))
                .isInstanceOf(ObjectExistsException.class);
        assertThat(storage.readAll(handle)).isEqualTo(content);
    }

    @Test
    @DisplayName("cleanup aborts unfinished multipart uploads of this repository started before the limit")
    void cleanupAbortsUnfinishedUploads() throws IOException {
        byte[] content = bytes(1000, 5);
        Handle kept = handleFor(Kind.PACK, content);
        storage.save(kept, Payload.of(content));
        try (S3Client client = server.client()) {
            String key = prefixOf(storage) + "/data/ab/ab" + "0".repeat(62);
            client.createMultipartUpload(b -> b.bucket(BUCKET).key(key));
            String other = "someone-else/data/ab/ab" + "1".repeat(62);
            client.createMultipartUpload(b -> b.bucket(BUCKET).key(other));
            assertThat(storage.cleanup(java.time.Instant.now().minusSeconds(3600))).as("a recent upload may still run")
                    .isZero();
            assertThat(storage.cleanup(java.time.Instant.now().plusSeconds(3600))).isEqualTo(1);
            assertThat(client.listMultipartUploads(b -> b.bucket(BUCKET).prefix(prefixOf(storage) + "/")).uploads())
                    .isEmpty();
            assertThat(client.listMultipartUploads(b -> b.bucket(BUCKET).prefix("someone-else/")).uploads())
                    .as("uploads outside the repository's prefix are not ours").hasSize(1);
        }
        assertThat(storage.readAll(kept)).isEqualTo(content);
    }

    @Test
    @DisplayName("a multipart payload that breaks midway leaves no object and no unfinished upload")
    void multipartBroken() throws IOException {
        byte[] content = bytes((int) S3Storage.MULTIPART_THRESHOLD + S3Storage.PART_SIZE, 23);
        Handle handle = handleFor(Kind.PACK, content);
        assertThatThrownBy(() -> storage.save(handle, breakingAfter(content, S3Storage.PART_SIZE + 100)))
                .isInstanceOf(IOException.class);
        assertThat(listAll(storage, Kind.PACK)).isEmpty();
        try (S3Client client = server.client()) {
            assertThat(client.listMultipartUploads(b -> b.bucket(BUCKET).prefix(prefixOf(storage) + "/")).uploads())
                    .isEmpty();
        }
        storage.save(handle, Payload.of(content));
        assertThat(storage.readAll(handle)).isEqualTo(content);
    }

    @Test
    @DisplayName("concurrent multipart saves of one name: exactly one wins, the others get ObjectExistsException")
    void multipartRace() throws Exception {
        Handle handle = new Handle(Kind.PACK, "00race");
        int size = (int) S3Storage.MULTIPART_THRESHOLD + 1000;
        AtomicInteger saved = new AtomicInteger();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                byte[] content = bytes(size, 30 + i);
                futures.add(pool.submit(() -> {
                    start.await();
                    try {
                        storage.save(handle, Payload.of(content));
                        saved.incrementAndGet();
                    } catch (IOException e) {
                        failures.add(e);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(failures).allMatch(e -> e instanceof ObjectExistsException);
        assertThat(saved.get()).isEqualTo(1);
        byte[] stored = storage.readAll(handle);
        assertThat(List.of(bytes(size, 30), bytes(size, 31), bytes(size, 32))).anyMatch(c -> Arrays.equals(c, stored));
    }

    @Test
    @DisplayName("an endpoint where nothing listens fails with StorageUnavailableException naming the location")
    void unreachable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        S3Options options = new S3Options(URI.create("http://127.0.0.1:" + port), "us-east-1", true,
                S3ProxyServer.IDENTITY, S3ProxyServer.CREDENTIAL, null);
        try (S3Storage down = new S3Storage("s3://" + BUCKET + "/down", options)) {
            assertThatThrownBy(() -> down.stat(Handle.config()))
                    .isInstanceOf(StorageUnavailableException.class)
                    .hasMessageContaining("s3://" + BUCKET + "/down");
            assertThatThrownBy(() -> down.save(Handle.config(), Payload.of(bytes(10, 1))))
                    .isInstanceOf(StorageUnavailableException.class);
            assertThatThrownBy(() -> down.list(Kind.SNAPSHOT, info -> { }))
                    .isInstanceOf(StorageUnavailableException.class);
        }
    }

    @Test
    @DisplayName("wrong credentials and a missing bucket fail with StorageUnavailableException saying what to check")
    void deniedAndMissingBucket() throws IOException {
        S3Options wrong = new S3Options(server.endpoint(), "us-east-1", true, S3ProxyServer.IDENTITY, "not-the-secret",
                null);
        try (S3Storage denied = new S3Storage("s3://" + BUCKET + "/x", wrong)) {
            assertThatThrownBy(() -> denied.save(Handle.config(), Payload.of(bytes(10, 1))))
                    .isInstanceOf(StorageUnavailableException.class)
                    .hasMessageContaining("access denied")
                    .hasMessageContaining("credentials");
        }
        try (S3Storage missing = new S3Storage("s3://no-such-bucket/x", server.options())) {
            assertThatThrownBy(() -> missing.list(Kind.SNAPSHOT, info -> { }))
                    .isInstanceOf(StorageUnavailableException.class)
                    .hasMessageContaining("bucket 'no-such-bucket' does not exist");
        }
    }

    @Test
    @DisplayName("Object Lock on a bucket without it fails with a clear configuration error, not a retryable one; locks stay unlocked")
    void objectLockUnsupported() throws IOException {
        S3Options options = server.options();
        S3Options locking = new S3Options(options.endpoint(), options.region(), true, options.accessKey(),
                options.secretKey(), null, "COMPLIANCE", 30);
        try (S3Storage storage = new S3Storage("s3://" + BUCKET + "/locked", locking)) {
            assertThatThrownBy(() -> storage.save(new Handle(Kind.SNAPSHOT, "abcd"), Payload.of(bytes(100, 1))))
                    .isInstanceOf(io.restorekit.common.RkException.class)
                    .hasMessageContaining("does not support Object Lock")
                    .hasMessageContaining("remove object-lock from the configuration");
            Handle lock = new Handle(Kind.LOCK, "abcd");
            storage.save(lock, Payload.of(bytes(100, 2)));
            storage.remove(lock);
        }
    }
}
