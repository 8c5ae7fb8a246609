package io.restorekit.storage.sftp;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How to log in to an SFTP server.
 *
 * @param identityFile a private key file (RSA, ECDSA or ed25519, without passphrase), or null
 * @param password     the password, or null (key authentication only)
 * @param knownHosts   the known_hosts file the server's host key must be in; null for
 *                     {@code ~/.ssh/known_hosts}
 * @param channels     how many SFTP channels of the one SSH session may work at once
 * @param timeout      how long to wait for the server to connect or answer
 */
public record SftpOptions(Path identityFile, String password, Path knownHosts, int channels, Duration timeout) {
    /** The default number of channels. */
    public static final int DEFAULT_CHANNELS = 4;
    /** The default time-out. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    public SftpOptions {
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be at least 1, not " + channels);
        }
    }

    public SftpOptions(Path identityFile, String password, Path knownHosts) {
        this(identityFile, password, knownHosts, DEFAULT_CHANNELS, DEFAULT_TIMEOUT);
    }

    /** The known_hosts file to use: the given one or {@code ~/.ssh/known_hosts}. */
    public Path knownHostsFile() {
        return knownHosts != null ? knownHosts : Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
    }

    @Override
    public String toString() {
        return "SftpOptions[identityFile=" + identityFile + ", password=" + (password == null ? "none" : "given")
                + ", knownHosts=" + knownHostsFile() + ", channels=" + channels + ", timeout=" + timeout + "]";
    }
}
