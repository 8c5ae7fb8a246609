package io.restorekit.storage.sftp;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.KeyPair;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;

/**
 * An Apache MINA SSHD server with SFTP on a loopback port, serving a folder as its file system,
 * for one user who may log in with a password or an RSA key. Its host key is kept in a file, so
 * a restart on the same port presents the same key. Tests start one per class.
 */
public final class SftpTestServer implements AutoCloseable {
    public static final String USER = "rk";
    public static final String PASSWORD = "rk-test-password";

    private final Path dir;
    private final Path root;
    private final Path clientKey;
    private final String clientPublicKey;
    private int port;
    private SshServer sshd;

    private SftpTestServer(Path dir) throws Exception {
        this.dir = dir;
        this.root = Files.createDirectories(dir.resolve("root"));
        this.clientKey = dir.resolve("id_rsa");
        KeyPair pair = KeyPair.genKeyPair(new JSch(), KeyPair.RSA, 2048);
        pair.writePrivateKey(clientKey.toString());
        this.clientPublicKey = Base64.getEncoder().encodeToString(pair.getPublicKeyBlob());
        pair.dispose();
    }

    /** Starts a server keeping its files, host key and client key under {@code dir}. */
    public static SftpTestServer start(Path dir) throws Exception {
        SftpTestServer server = new SftpTestServer(dir);
        server.start();
        return server;
    }

    /** Starts again on the same port with the same host key and files (after {@link #stop}). */
    public synchronized void start() throws IOException {
        if (sshd != null) {
            return;
        }
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(port);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(dir.resolve("host-key.ser")));
        server.setPasswordAuthenticator((user, password, session) -> USER.equals(user) && PASSWORD.equals(password));
        server.setPublickeyAuthenticator((user, key, session) -> USER.equals(user) && clientPublicKey.equals(blob(key)));
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        server.setFileSystemFactory(new VirtualFileSystemFactory(root));
        server.start();
        port = server.getPort();
        sshd = server;
    }

    /** Stops the server at once, dropping every connection. */
    public synchronized void stop() throws IOException {
        if (sshd != null) {
            sshd.stop(true);
            sshd = null;
        }
    }

    public int port() {
        return port;
    }

    /** The folder the server shows as its root. */
    public Path root() {
        return root;
    }

    public Path clientKey() {
        return clientKey;
    }

    /** The URL of {@code path} (starting with /) on this server. */
    public String url(String path) {
        return "sftp://" + USER + "@127.0.0.1:" + port + path;
    }

    /** The known_hosts line of this server's host key. */
    public String knownHostsLine() throws IOException {
        start();
        PublicKey key;
        try {
            key = sshd.getKeyPairProvider().loadKeys(null).iterator().next().getPublic();
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot read the host key of the test server", e);
        }
        return "[127.0.0.1]:" + port + " " + PublicKeyEntry.toString(key);
    }

    /** Writes a known_hosts file trusting this server. */
    public Path writeKnownHosts(Path file) throws IOException {
        return Files.writeString(file, knownHostsLine() + "\n");
    }

    /** Options logging in with the client key, trusting this server. */
    public SftpOptions keyOptions(Path knownHosts) {
        return new SftpOptions(clientKey, null, knownHosts);
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    private static String blob(PublicKey key) {
        String entry = PublicKeyEntry.toString(key);
        return entry.substring(entry.indexOf(' ') + 1).split(" ")[0];
    }
}
