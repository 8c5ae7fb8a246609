package io.restorekit.remote;

import io.restorekit.config.RepositoryConfig;
import io.restorekit.config.StorageFactory;
import io.restorekit.storage.Storage;
import io.restorekit.storage.s3.S3ProxyServer;
import io.restorekit.storage.s3.S3Storage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** A repository in a bucket of S3Proxy (a child process), configured as a user would. */
class S3RepositoryTest extends RemoteRepositoryContract {
    private static final String BUCKET = "backups";

    @TempDir
    static Path serverDir;
    static S3ProxyServer server;

    @BeforeAll
    static void startS3Proxy() throws IOException {
        server = S3ProxyServer.start(serverDir);
        server.createBucket(BUCKET);
    }

    @AfterAll
    static void stopS3Proxy() {
        if (server != null) {
            server.close();
        }
    }

    private RepositoryConfig config(String name) {
        return new RepositoryConfig("primary", "s3://" + BUCKET + "/" + name,
                new RepositoryConfig.S3(server.endpoint().toString(), "us-east-1", true, "TEST_S3_KEY",
                        "TEST_S3_SECRET", null), null);
    }

    private StorageFactory factory() {
        return new StorageFactory(Map.of("TEST_S3_KEY", S3ProxyServer.IDENTITY, "TEST_S3_SECRET",
                S3ProxyServer.CREDENTIAL));
    }

    @Override
    protected Storage create(String name) throws IOException {
        return factory().create(config(name), tmp);
    }

    @Override
    protected Storage open(String name) throws IOException {
        return factory().open(config(name), tmp);
    }

    @Override
    protected Storage backend(String name) {
        return new S3Storage("s3://" + BUCKET + "/" + name, server.options());
    }

    @Override
    protected void stopServer() {
        server.stop();
    }

    @Override
    protected void startServer() throws IOException {
        server.start();
    }
}
