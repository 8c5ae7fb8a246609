package io.restorekit.storage.s3;

import io.restorekit.storage.Storage;
import io.restorekit.storage.StorageContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

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
}
