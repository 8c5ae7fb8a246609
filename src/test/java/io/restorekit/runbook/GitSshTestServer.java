package io.restorekit.runbook;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.KeyPair;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.PreUploadHook;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.UploadPack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Git server over SSH in this process: Apache MINA SSHD with a command factory that runs JGit's
 * UploadPack ({@code git-upload-pack}, fetch and clone) and ReceivePack ({@code git-receive-pack},
 * push) on bare repositories under a folder. One user logs in with an RSA key made here; the host
 * key is kept in a file, so {@link #knownHostsLine()} stays valid. {@link #dropNextFetch()} cuts
 * the connection of the next fetch just before the pack is sent.
 */
final class GitSshTestServer implements AutoCloseable {
    static final String USER = "git";

    private final Path root;
    private final Path clientKey;
    private final String clientPublicKey;
    private final SshServer sshd;
    private final AtomicBoolean dropNextFetch = new AtomicBoolean();

    GitSshTestServer(Path dir) throws Exception {
        this.root = Files.createDirectories(dir.resolve("repos"));
        this.clientKey = dir.resolve("id_rsa");
        KeyPair pair = KeyPair.genKeyPair(new JSch(), KeyPair.RSA, 2048);
        pair.writePrivateKey(clientKey.toString());
        this.clientPublicKey = Base64.getEncoder().encodeToString(pair.getPublicKeyBlob());
        pair.dispose();
        sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        sshd.setPort(0);
        sshd.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(dir.resolve("host-key.ser")));
        sshd.setPublickeyAuthenticator((user, key, session) -> USER.equals(user) && clientPublicKey.equals(blob(key)));
        sshd.setCommandFactory((channel, command) -> new GitCommand(command));
        sshd.start();
    }

    /** Creates an empty bare repository (branch main) and returns its ssh:// URL. */
    String createRepository(String name) throws Exception {
        Git.init().setBare(true).setInitialBranch("main").setDirectory(root.resolve(name).toFile()).call().close();
        return url(name);
    }

    String url(String name) {
        return "ssh://" + USER + "@127.0.0.1:" + sshd.getPort() + "/" + name;
    }

    Path repository(String name) {
        return root.resolve(name);
    }

    Path clientKey() {
        return clientKey;
    }

    void dropNextFetch() {
        dropNextFetch.set(true);
    }

    String knownHostsLine() throws Exception {
        PublicKey key = sshd.getKeyPairProvider().loadKeys(null).iterator().next().getPublic();
        return "[127.0.0.1]:" + sshd.getPort() + " " + PublicKeyEntry.toString(key);
    }

    Path writeKnownHosts(Path file) throws Exception {
        return Files.writeString(file, knownHostsLine() + "\n");
    }

    @Override
    public void close() throws IOException {
        sshd.stop(true);
    }

    private static String blob(PublicKey key) {
        String entry = PublicKeyEntry.toString(key);
        return entry.substring(entry.indexOf(' ') + 1).split(" ")[0];
    }

    /** One {@code git-upload-pack 'path'} or {@code git-receive-pack 'path'}, on its own thread. */
    private final class GitCommand implements Command {
        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        GitCommand(String command) {
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            Thread t = new Thread(() -> run(channel), "git-ssh " + command);
            t.setDaemon(true);
            t.start();
        }

        private void run(ChannelSession channel) {
            String[] parts = command.split(" ", 2);
            String path = parts.length < 2 ? "" : parts[1].replace("'", "").replace("\"", "");
            while (path.startsWith("/")) {
                path = path.substring(1);
            }
            Path dir = root.resolve(path).normalize();
            try (Repository repo = new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).build()) {
                switch (parts[0]) {
                    case "git-upload-pack" -> {
                        UploadPack up = new UploadPack(repo);
                        up.setPreUploadHook(new PreUploadHook() {
                            @Override
                            public void onBeginNegotiateRound(UploadPack u, Collection wants, int count) {
                            }

                            @Override
                            public void onEndNegotiateRound(UploadPack u, Collection wants, int common, int notFound,
                                                            boolean ready) {
                            }

                            @Override
                            public void onSendPack(UploadPack u, Collection wants, Collection haves) {
                                if (dropNextFetch.getAndSet(false)) {
                                    // As a network failure would: the connection goes away mid-protocol.
                                    channel.getSession().close(true);
                                }
                            }
                        });
                        up.upload(in, out, err);
                    }
                    case "git-receive-pack" -> new ReceivePack(repo).receive(in, out, err);
                    default -> throw new IOException("unknown command " + command);
                }
                out.flush();
                exit.onExit(0);
            } catch (Exception e) {
                try {
                    err.write((e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
                    err.flush();
                } catch (IOException ignored) {
                    // the connection is gone
                }
                exit.onExit(1, String.valueOf(e.getMessage()));
            }
        }

        @Override
        public void destroy(ChannelSession channel) {
        }
    }
}
