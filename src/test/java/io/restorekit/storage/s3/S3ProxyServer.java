package io.restorekit.storage.s3;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An S3Proxy server in a child JVM on a free loopback port, keeping its buckets as folders under a
 * base folder so that it can be stopped and started again with its data. Tests start one per
 * class. The jar is copied to {@code target/s3proxy/} by the build (generate-test-resources).
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String IDENTITY = "rk-test-identity";
    public static final String CREDENTIAL = "rk-test-credential";
    private static final Path JAR = Path.of("target", "s3proxy", "s3proxy.jar");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final int port;
    private Process process;

    private S3ProxyServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Starts a server whose data and log live under {@code dir}. */
    public static S3ProxyServer start(Path dir) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing; run './mvnw generate-test-resources'");
        }
        S3ProxyServer server = new S3ProxyServer(dir, freePort());
        server.start();
        return server;
    }

    /** Starts the process again on the same port with the same data (after {@link #stop}). */
    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        Path data = Files.createDirectories(dir.resolve("data"));
        Path properties = dir.resolve("s3proxy.properties");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + IDENTITY,
                "s3proxy.credential=" + CREDENTIAL,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + data.toAbsolutePath(),
                ""));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(List.of(java, "-Xmx512m", "-XX:+UseSerialGC",
                "-Djava.io.tmpdir=" + dir.toAbsolutePath(), "-jar", JAR.toAbsolutePath().toString(),
                "--properties", properties.toAbsolutePath().toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("s3proxy.log").toFile()))
                .start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!answers()) {
            if (!process.isAlive()) {
                throw new IOException("S3Proxy exited with " + process.exitValue() + "; see " + dir.resolve("s3proxy.log"));
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new IOException("S3Proxy did not answer on port " + port + " within " + START_TIMEOUT);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting S3Proxy", e);
            }
        }
    }

    /** Kills the process (its data stays). */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Options that reach this server with its credentials. */
    public S3Options options() {
        return new S3Options(endpoint(), "us-east-1", true, IDENTITY, CREDENTIAL, null);
    }

    public void createBucket(String bucket) {
        try (S3Client client = client()) {
            client.createBucket(b -> b.bucket(bucket));
        }
    }

    /** A plain SDK client of this server, for looking behind a storage's back. */
    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(endpoint())
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(IDENTITY, CREDENTIAL)))
                .httpClient(software.amazon.awssdk.http.apache5.Apache5HttpClient.create())
                .build();
    }

    @Override
    public void close() {
        stop();
    }

    private boolean answers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
