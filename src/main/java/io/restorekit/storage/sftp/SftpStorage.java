package io.restorekit.storage.sftp;

import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SftpATTRS;
import com.jcraft.jsch.SftpException;
import com.jcraft.jsch.UserInfo;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.ObjectExistsException;
import io.restorekit.storage.ObjectNotFoundException;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;
import io.restorekit.storage.StorageUnavailableException;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Vector;
import java.util.function.Consumer;

/**
 * A storage in a folder of an SSH server, reached through SFTP ({@code sftp://user@host[:port]/path};
 * {@code /~/path} for a path relative to the login folder), one file per {@link Handle} at
 * {@link Handle#path()} below that folder.
 *
 * <p>The server's host key must be in the known_hosts file; an unknown key is refused with a
 * message giving the line to add, a changed key is refused as a possible attack. Both, and refused
 * credentials, are {@link SshLoginException}s, which no retry can change.
 *
 * <p>A save writes {@code .tmp-<random>} in the object's folder and publishes it without
 * replacing an existing file: with the {@code hardlink@openssh.com} extension (OpenSSH, Apache
 * MINA SSHD) a hard link, which fails atomically when the name exists; otherwise a check that the
 * name is free followed by a rename (SFTP clients use {@code posix-rename@openssh.com} when
 * offered, which replaces), where two concurrent saves of one name may race — harmless for
 * content-addressed names.
 *
 * <p>One SSH session carries up to {@link SftpOptions#channels()} SFTP channels, each used by one
 * call at a time. A dropped connection fails the calls that were using it with a
 * {@link StorageUnavailableException}; the next call connects again.
 */
public final class SftpStorage implements Storage {
    /** Prefix of temporary files; never a valid object name, which starts with [0-9a-z]. */
    public static final String TEMP_PREFIX = ".tmp-";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String HARDLINK = "hardlink@openssh.com";
    private static final int BUFFER = 64 * 1024;
    private static final int BULK_REQUESTS = 64;

    private final String user;
    private final String host;
    private final int port;
    private final String root;
    private final String location;
    private final SftpOptions options;

    private final Object lock = new Object();
    private Session session;
    private final Deque<ChannelSftp> idle = new ArrayDeque<>();
    private int channels;
    private boolean closed;

    /** A storage at {@code url}. Connects lazily: an unreachable server shows on the first call. */
    public SftpStorage(String url, SftpOptions options) {
        URI uri = URI.create(url);
        if (!"sftp".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("'" + url + "' is not an SFTP location; expected sftp://user@host[:port]/path");
        }
        this.user = uri.getUserInfo() != null ? uri.getUserInfo() : System.getProperty("user.name");
        this.host = uri.getHost();
        this.port = uri.getPort() > 0 ? uri.getPort() : 22;
        this.root = root(uri.getPath());
        this.location = "sftp://" + user + "@" + host + (port == 22 ? "" : ":" + port) + uri.getPath();
        this.options = options;
    }

    private static String root(String path) {
        if (path == null || path.isEmpty() || path.equals("/")) {
            return "/";
        }
        if (path.equals("/~") || path.equals("/~/")) {
            return ".";
        }
        String trimmed = path.startsWith("/~/") ? path.substring(3) : path;
        while (trimmed.length() > 1 && trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }

    @Override
    public String location() {
        return location;
    }

    /** Creates the root folder (and its parents) and one folder per {@link Kind}, for a new repository. */
    public void createFolders() throws IOException {
        run("create the repository folder", null, ch -> {
            mkdirs(ch, root);
            for (Kind kind : Kind.values()) {
                if (kind != Kind.CONFIG) {
                    mkdirs(ch, path(kind.folder()));
                }
            }
            return null;
        });
    }

    @Override
    public void save(Handle handle, Payload payload) throws IOException {
        String target = path(handle.path());
        String folder = target.substring(0, target.lastIndexOf('/'));
        String temp = folder + "/" + TEMP_PREFIX + randomSuffix();
        try {
            run("save " + handle, handle, ch -> {
                if (attributes(ch, target) != null) {
                    throw exists(handle);
                }
                write(ch, temp, folder, payload, handle);
                publish(ch, temp, target, handle);
                return null;
            });
        } catch (IOException | RuntimeException e) {
            // A write that broke off may leave the channel with answers still due, so the channel
            // is dropped (see run) and the temporary file is removed over another one.
            try {
                run("remove a temporary file", null, ch -> {
                    removeQuietly(ch, temp);
                    return null;
                });
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private void write(ChannelSftp ch, String temp, String folder, Payload payload, Handle handle)
            throws IOException, SftpException {
        // put(InputStream) keeps many write requests in flight; put() as an OutputStream waits for each.
        try (CountingInputStream in = new CountingInputStream(payload.open())) {
            try {
                ch.put(in, temp, ChannelSftp.OVERWRITE);
            } catch (SftpException e) {
                if (e.id != ChannelSftp.SSH_FX_NO_SUCH_FILE || isConnectionLoss(e) || in.count > 0) {
                    if (in.failure != null) {
                        throw in.failure;
                    }
                    throw e;
                }
                // data/xx/ folders appear as packs arrive; the root itself is never created here.
                if (attributes(ch, root) == null) {
                    throw new StorageUnavailableException("folder '" + root + "' does not exist on " + host
                            + "; create the repository with 'rk init' or correct the repository url");
                }
                mkdirs(ch, folder);
                ch.put(in, temp, ChannelSftp.OVERWRITE);
            }
            if (in.count != payload.length()) {
                throw new IOException("payload for " + handle + " has " + in.count + " bytes, expected "
                        + payload.length());
            }
        }
    }

    /** Counts the bytes read and remembers the failure of the source, which JSch wraps in an SftpException. */
    private static final class CountingInputStream extends FilterInputStream {
        private long count;
        private IOException failure;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = in.read(b, off, len);
                if (n > 0) {
                    count += n;
                }
                return n;
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }
    }

    private void publish(ChannelSftp ch, String temp, String target, Handle handle) throws SftpException, IOException {
        if (ch.getExtension(HARDLINK) != null) {
            try {
                ch.hardlink(temp, target);
            } catch (SftpException e) {
                if (!isConnectionLoss(e) && attributes(ch, target) != null) {
                    throw exists(handle);
                }
                throw e;
            }
            ch.rm(temp);
            return;
        }
        if (attributes(ch, target) != null) {
            throw exists(handle);
        }
        ch.rename(temp, target);
    }

    @Override
    public InputStream open(Handle handle, long offset, long length) throws IOException {
        String path = path(handle.path());
        Lease lease = acquire();
        boolean handedOver = false;
        try {
            ChannelSftp ch = lease.channel();
            SftpATTRS attrs = attributes(ch, path);
            if (attrs == null || attrs.isDir()) {
                throw notFound(handle);
            }
            long size = attrs.getSize();
            long end = length < 0 ? size : offset + length;
            if (offset < 0 || offset > end || end > size || end < 0) {
                throw new IOException("range " + offset + "+" + length + " is beyond the end of " + handle
                        + " (" + size + " bytes) in " + location);
            }
            if (end == offset) {
                release(lease, true);
                handedOver = true;
                return InputStream.nullInputStream();
            }
            InputStream in = ch.get(path, null, offset);
            handedOver = true;
            return new LeasedInputStream(in, lease, end - offset);
        } catch (SftpException e) {
            throw translate(e, "read " + handle, handle, lease);
        } finally {
            if (!handedOver) {
                release(lease, lease.healthy);
            }
        }
    }

    @Override
    public FileInfo stat(Handle handle) throws IOException {
        SftpATTRS attrs = run("stat " + handle, handle, ch -> attributes(ch, path(handle.path())));
        if (attrs == null || !attrs.isReg()) {
            throw notFound(handle);
        }
        return new FileInfo(handle, attrs.getSize());
    }

    @Override
    public void list(Kind kind, Consumer<FileInfo> each) throws IOException {
        if (kind == Kind.CONFIG) {
            try {
                each.accept(stat(Handle.config()));
            } catch (ObjectNotFoundException e) {
                // no config: nothing to list
            }
            return;
        }
        String folder = path(kind.folder());
        List<FileInfo> found = run("list " + kind.folder(), null, ch -> {
            List<FileInfo> files = new java.util.ArrayList<>();
            if (kind == Kind.PACK) {
                for (ChannelSftp.LsEntry sub : entries(ch, folder)) {
                    if (sub.getAttrs().isDir() && !sub.getFilename().startsWith(".")) {
                        collect(kind, folder + "/" + sub.getFilename(), entries(ch, folder + "/" + sub.getFilename()),
                                files);
                    }
                }
            } else {
                collect(kind, folder, entries(ch, folder), files);
            }
            return files;
        });
        found.forEach(each);
    }

    /** Removes temporary files of saves that were killed, last modified before {@code before}. */
    @Override
    public int cleanup(java.time.Instant before) throws IOException {
        long limit = before.getEpochSecond();
        return run("remove temporary files", null, ch -> {
            int removed = 0;
            List<String> folders = new java.util.ArrayList<>();
            folders.add(root);
            for (Kind kind : Kind.values()) {
                if (kind == Kind.CONFIG) {
                    continue;
                }
                String folder = path(kind.folder());
                folders.add(folder);
                if (kind == Kind.PACK) {
                    for (ChannelSftp.LsEntry sub : entries(ch, folder)) {
                        if (sub.getAttrs().isDir() && !sub.getFilename().startsWith(".")) {
                            folders.add(folder + "/" + sub.getFilename());
                        }
                    }
                }
            }
            for (String folder : folders) {
                for (ChannelSftp.LsEntry e : entries(ch, folder)) {
                    if (e.getFilename().startsWith(TEMP_PREFIX) && e.getAttrs().isReg()
                            && e.getAttrs().getMTime() < limit) {
                        removeQuietly(ch, folder + "/" + e.getFilename());
                        removed++;
                    }
                }
            }
            return removed;
        });
    }

    private void collect(Kind kind, String folder, List<ChannelSftp.LsEntry> entries, List<FileInfo> into) {
        for (ChannelSftp.LsEntry entry : entries) {
            String name = entry.getFilename();
            if (name.startsWith(TEMP_PREFIX) || !entry.getAttrs().isReg()) {
                continue;
            }
            Handle handle;
            try {
                handle = new Handle(kind, name);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (path(handle.path()).equals(folder + "/" + name)) {
                into.add(new FileInfo(handle, entry.getAttrs().getSize()));
            }
        }
    }

    private static List<ChannelSftp.LsEntry> entries(ChannelSftp ch, String folder) throws SftpException {
        try {
            Vector<ChannelSftp.LsEntry> entries = ch.ls(folder);
            return entries == null ? List.of() : List.copyOf(entries);
        } catch (SftpException e) {
            if (e.id == ChannelSftp.SSH_FX_NO_SUCH_FILE && !isConnectionLoss(e)) {
                return List.of();
            }
            throw e;
        }
    }

    @Override
    public void remove(Handle handle) throws IOException {
        run("remove " + handle, handle, ch -> {
            try {
                ch.rm(path(handle.path()));
            } catch (SftpException e) {
                if (e.id != ChannelSftp.SSH_FX_NO_SUCH_FILE || isConnectionLoss(e)) {
                    throw e;
                }
            }
            return null;
        });
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            disconnect();
            lock.notifyAll();
        }
    }

    @Override
    public String toString() {
        return "SftpStorage[" + location + "]";
    }

    // ---- session and channels

    /** One channel lent to one call; {@code healthy} false when it must not be used again. */
    private static final class Lease {
        private final ChannelSftp channel;
        private final Session session;
        private boolean healthy = true;

        Lease(ChannelSftp channel, Session session) {
            this.channel = channel;
            this.session = session;
        }

        ChannelSftp channel() {
            return channel;
        }
    }

    @FunctionalInterface
    private interface SftpCall<T> {
        T run(ChannelSftp channel) throws SftpException, IOException;
    }

    private <T> T run(String what, Handle handle, SftpCall<T> call) throws IOException {
        Lease lease = acquire();
        try {
            return call.run(lease.channel());
        } catch (SftpException e) {
            throw translate(e, what, handle, lease);
        } catch (ObjectExistsException | ObjectNotFoundException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Failed midway (a payload that broke, a lost connection): the channel may still have
            // requests in flight whose answers would confuse the next call.
            lease.healthy = false;
            if (e instanceof IOException && !(e instanceof StorageUnavailableException) && !lease.channel.isConnected()) {
                throw new StorageUnavailableException("lost the connection to " + hostName() + " while trying to "
                        + what + " in " + location + ": " + e.getMessage(), e);
            }
            throw e;
        } finally {
            release(lease, lease.healthy);
        }
    }

    private Lease acquire() throws IOException {
        long deadline = System.nanoTime() + options.timeout().toNanos() * 3;
        synchronized (lock) {
            while (true) {
                if (closed) {
                    throw new IOException("storage " + location + " is closed");
                }
                if (session == null || !session.isConnected()) {
                    disconnect();
                    session = connect();
                }
                ChannelSftp channel = idle.pollFirst();
                if (channel != null) {
                    if (channel.isConnected()) {
                        return new Lease(channel, session);
                    }
                    channels--;
                    continue;
                }
                if (channels < options.channels()) {
                    channels++;
                    try {
                        return new Lease(openChannel(session), session);
                    } catch (IOException | RuntimeException e) {
                        channels--;
                        throw e;
                    }
                }
                long wait = (deadline - System.nanoTime()) / 1_000_000;
                if (wait <= 0) {
                    throw new StorageUnavailableException("all " + options.channels() + " SFTP channels to " + host
                            + " stayed busy for " + options.timeout().multipliedBy(3).toSeconds() + " s");
                }
                try {
                    lock.wait(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for an SFTP channel to " + host);
                }
            }
        }
    }

    private void release(Lease lease, boolean healthy) {
        synchronized (lock) {
            if (lease.session == session && !closed) {
                if (healthy && lease.channel.isConnected()) {
                    idle.addFirst(lease.channel);
                } else {
                    lease.channel.disconnect();
                    channels--;
                    if (!healthy) {
                        // The failure may be the session's: look again before the next call uses it.
                        checkSession();
                    }
                }
            } else {
                lease.channel.disconnect();
            }
            lock.notifyAll();
        }
    }

    private void checkSession() {
        try {
            if (session != null && session.isConnected()) {
                session.sendKeepAliveMsg();
            }
        } catch (Exception e) {
            disconnect();
        }
    }

    /** Drops the session and its idle channels; channels still lent are dropped when returned. */
    private void disconnect() {
        idle.forEach(ChannelSftp::disconnect);
        idle.clear();
        channels = 0;
        if (session != null) {
            session.disconnect();
            session = null;
        }
    }

    private Session connect() throws IOException {
        JSch jsch = new JSch();
        RecordingHostKeys hostKeys;
        try {
            Path knownHosts = options.knownHostsFile();
            if (Files.isRegularFile(knownHosts)) {
                jsch.setKnownHosts(knownHosts.toString());
            } else {
                jsch.setKnownHosts(new ByteArrayInputStream(new byte[0]));
            }
            hostKeys = new RecordingHostKeys(jsch.getHostKeyRepository());
            jsch.setHostKeyRepository(hostKeys);
            if (options.identityFile() != null) {
                jsch.addIdentity(options.identityFile().toString());
            }
        } catch (JSchException e) {
            throw new SshLoginException("cannot use the SSH settings of " + location + ": " + e.getMessage()
                    + "; check identity-file '" + options.identityFile() + "' and known-hosts '"
                    + options.knownHostsFile() + "'", e);
        }
        Session s;
        try {
            s = jsch.getSession(user, host, port);
        } catch (JSchException e) {
            throw new StorageUnavailableException("cannot set up an SSH session to " + location + ": " + e.getMessage(), e);
        }
        s.setConfig("StrictHostKeyChecking", "yes");
        s.setConfig("PreferredAuthentications", options.password() != null && options.identityFile() == null
                ? "password,keyboard-interactive" : "publickey,password,keyboard-interactive");
        if (options.password() != null) {
            s.setPassword(options.password());
        }
        int timeout = (int) options.timeout().toMillis();
        try {
            s.setTimeout(timeout);
            s.setServerAliveInterval(Math.max(1000, timeout / 2));
            s.setServerAliveCountMax(3);
            s.connect(timeout);
            return s;
        } catch (JSchException e) {
            s.disconnect();
            throw connectFailure(e, hostKeys);
        }
    }

    private IOException connectFailure(JSchException e, RecordingHostKeys hostKeys) {
        String message = String.valueOf(e.getMessage());
        if (hostKeys.offered != null && hostKeys.verdict != HostKeyRepository.OK) {
            HostKey key = hostKeys.offered;
            String fingerprint = fingerprint(key);
            if (hostKeys.verdict == HostKeyRepository.CHANGED) {
                throw new SshLoginException("the host key of " + hostName() + " has CHANGED (" + key.getType() + " "
                        + fingerprint + ") and does not match known-hosts file '" + options.knownHostsFile()
                        + "'; this may be an attack. If the server was really reinstalled, replace its line there", e);
            }
            throw new SshLoginException("the host key of " + hostName() + " (" + key.getType() + " " + fingerprint
                    + ") is not in known-hosts file '" + options.knownHostsFile() + "'; if this is your server,"
                    + " add this line to that file: " + hostName() + " " + key.getType() + " " + key.getKey(), e);
        }
        if (message.startsWith("Auth fail") || message.startsWith("Auth cancel")
                || message.contains("USERAUTH fail")) {
            throw new SshLoginException("the SSH server " + hostName() + " refused to let user '" + user
                    + "' in; check the identity-file or the password in password-env", e);
        }
        return new StorageUnavailableException("cannot reach SSH server " + hostName() + " for " + location + ": "
                + message + "; check that the server runs and the network", e);
    }

    private String hostName() {
        return port == 22 ? host : "[" + host + "]:" + port;
    }

    private ChannelSftp openChannel(Session s) throws IOException {
        try {
            ChannelSftp channel = (ChannelSftp) s.openChannel("sftp");
            // More requests in flight than JSch's default 16: packs are megabytes, round trips add up.
            channel.setBulkRequests(BULK_REQUESTS);
            channel.connect((int) options.timeout().toMillis());
            return channel;
        } catch (JSchException e) {
            disconnect();
            throw new StorageUnavailableException("cannot open an SFTP channel to " + hostName() + " for " + location
                    + ": " + e.getMessage() + "; check that the server allows SFTP", e);
        }
    }

    // ---- helpers

    private String path(String relative) {
        return root.endsWith("/") ? root + relative : root + "/" + relative;
    }

    /** The attributes of {@code path}, or null when it does not exist. */
    private static SftpATTRS attributes(ChannelSftp ch, String path) throws SftpException {
        try {
            return ch.stat(path);
        } catch (SftpException e) {
            if (e.id == ChannelSftp.SSH_FX_NO_SUCH_FILE && !isConnectionLoss(e)) {
                return null;
            }
            throw e;
        }
    }

    /** Creates {@code folder} and its missing parents. */
    private static void mkdirs(ChannelSftp ch, String folder) throws SftpException {
        SftpATTRS attrs = attributes(ch, folder);
        if (attrs != null) {
            if (!attrs.isDir()) {
                throw new SftpException(ChannelSftp.SSH_FX_FAILURE, "'" + folder + "' exists and is not a folder");
            }
            return;
        }
        int slash = folder.lastIndexOf('/');
        if (slash > 0) {
            mkdirs(ch, folder.substring(0, slash));
        }
        try {
            ch.mkdir(folder);
        } catch (SftpException e) {
            // A concurrent save may have made it meanwhile.
            SftpATTRS now = attributes(ch, folder);
            if (now == null || !now.isDir()) {
                throw e;
            }
        }
    }

    private static void removeQuietly(ChannelSftp ch, String path) {
        try {
            ch.rm(path);
        } catch (SftpException | RuntimeException ignored) {
            // a temporary name nobody lists; a later cleanup may remove it
        }
    }

    /** Whether the failure is the connection's, not an answer of the server. */
    private static boolean isConnectionLoss(SftpException e) {
        // JSch reports a broken channel as a status with the underlying exception as its cause.
        return e.getCause() != null || e.id == ChannelSftp.SSH_FX_NO_CONNECTION
                || e.id == ChannelSftp.SSH_FX_CONNECTION_LOST;
    }

    private IOException translate(SftpException e, String what, Handle handle, Lease lease) {
        if (isConnectionLoss(e)) {
            lease.healthy = false;
            return new StorageUnavailableException("lost the connection to " + hostName() + " while trying to " + what
                    + " in " + location + ": " + e.getMessage(), e);
        }
        return switch (e.id) {
            case ChannelSftp.SSH_FX_NO_SUCH_FILE -> handle != null ? notFound(handle)
                    : new StorageUnavailableException("folder '" + root + "' does not exist on " + host + " (" + what
                    + "); correct the repository url", e);
            case ChannelSftp.SSH_FX_PERMISSION_DENIED -> new StorageUnavailableException("permission denied to "
                    + what + " in " + location + "; check the owner and permissions of the folder on the server", e);
            default -> new IOException("could not " + what + " in " + location + ": " + e.getMessage(), e);
        };
    }

    private ObjectExistsException exists(Handle handle) {
        return new ObjectExistsException(handle + " already exists in " + location);
    }

    private ObjectNotFoundException notFound(Handle handle) {
        return new ObjectNotFoundException(handle + " does not exist in " + location);
    }

    private static String randomSuffix() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String fingerprint(HostKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Base64.getDecoder().decode(key.getKey()));
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException | IllegalArgumentException e) {
            return "(fingerprint unknown)";
        }
    }

    /** Reads at most {@code remaining} bytes, then gives the channel back when closed. */
    private final class LeasedInputStream extends FilterInputStream {
        private final Lease lease;
        private long remaining;
        private boolean closed;

        LeasedInputStream(InputStream in, Lease lease, long remaining) {
            super(in);
            this.lease = lease;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n;
            try {
                n = in.read(b, off, (int) Math.min(len, remaining));
            } catch (IOException e) {
                lease.healthy = false;
                throw new StorageUnavailableException("lost the connection to " + hostName() + " while reading from "
                        + location + ": " + e.getMessage(), e);
            }
            if (n < 0) {
                lease.healthy = false;
                throw new IOException("object in " + location + " ended " + remaining + " bytes early");
            }
            remaining -= n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buffer = new byte[(int) Math.min(BUFFER, Math.max(1, n))];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public int available() {
            return 0;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                in.close();
            } catch (IOException e) {
                lease.healthy = false;
            }
            release(lease, lease.healthy);
        }
    }

    /** Known hosts that remember the key the server offered and what they said about it. */
    private static final class RecordingHostKeys implements HostKeyRepository {
        private final HostKeyRepository known;
        private volatile HostKey offered;
        private volatile int verdict = OK;

        RecordingHostKeys(HostKeyRepository known) {
            this.known = known;
        }

        @Override
        public int check(String host, byte[] key) {
            int result = known.check(host, key);
            if (result != OK) {
                try {
                    offered = new HostKey(host, HostKey.GUESS, key);
                } catch (JSchException e) {
                    offered = null;
                }
                verdict = result;
            }
            return result;
        }

        @Override
        public void add(HostKey hostkey, UserInfo ui) {
            // Never learn keys: the operator adds them to known_hosts.
        }

        @Override
        public void remove(String host, String type) {
        }

        @Override
        public void remove(String host, String type, byte[] key) {
        }

        @Override
        public String getKnownHostsRepositoryID() {
            return known.getKnownHostsRepositoryID();
        }

        @Override
        public HostKey[] getHostKey() {
            return known.getHostKey();
        }

        @Override
        public HostKey[] getHostKey(String host, String type) {
            return known.getHostKey(host, type);
        }
    }
}
