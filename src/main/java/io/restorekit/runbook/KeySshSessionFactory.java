package io.restorekit.runbook;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import org.eclipse.jgit.transport.ssh.jsch.JschConfigSessionFactory;
import org.eclipse.jgit.transport.ssh.jsch.OpenSshConfig;
import org.eclipse.jgit.util.FS;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * SSH for Git over JSch: public-key authentication with one identity, and strict host-key
 * checking against one known_hosts file (an unknown or changed host key refuses the connection).
 */
final class KeySshSessionFactory extends JschConfigSessionFactory {
    private final Path identityFile;
    private final Path knownHosts;
    private JSch jsch;

    /** @param identityFile null: the first of {@code ~/.ssh/id_ed25519}, {@code ~/.ssh/id_rsa} that exists */
    KeySshSessionFactory(Path identityFile, Path knownHosts) {
        Path ssh = Path.of(System.getProperty("user.home"), ".ssh");
        this.identityFile = identityFile != null ? identityFile : List.of(ssh.resolve("id_ed25519"),
                ssh.resolve("id_ecdsa"), ssh.resolve("id_rsa")).stream().filter(Files::exists).findFirst().orElse(null);
        this.knownHosts = knownHosts != null ? knownHosts : ssh.resolve("known_hosts");
    }

    @Override
    protected void configure(OpenSshConfig.Host host, Session session) {
        session.setConfig("StrictHostKeyChecking", "yes");
        session.setConfig("PreferredAuthentications", "publickey");
    }

    @Override
    protected synchronized JSch getJSch(OpenSshConfig.Host host, FS fs) throws JSchException {
        if (jsch == null) {
            jsch = createDefaultJSch(fs);
        }
        return jsch;
    }

    @Override
    protected JSch createDefaultJSch(FS fs) throws JSchException {
        if (identityFile == null || !Files.isRegularFile(identityFile)) {
            throw new JSchException("no SSH private key: " + (identityFile == null ? "none of ~/.ssh/id_ed25519,"
                    + " id_ecdsa, id_rsa exists" : "'" + identityFile + "' not found")
                    + "; set runbooks.identity-file in restorekit.yml");
        }
        if (!Files.isRegularFile(knownHosts)) {
            throw new JSchException("known_hosts file '" + knownHosts + "' not found; add the server's host key"
                    + " (ssh-keyscan) or set runbooks.known-hosts in restorekit.yml");
        }
        JSch created = new JSch();
        created.setKnownHosts(knownHosts.toString());
        created.addIdentity(identityFile.toString());
        return created;
    }
}
