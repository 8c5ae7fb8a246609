package io.restorekit.archive;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.Repository;
import io.restorekit.repository.Snapshot;
import io.restorekit.source.files.Node;
import io.restorekit.source.files.Tree;
import io.restorekit.source.files.TreeReader;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A files snapshot as a POSIX (pax) tar: folders, files and symbolic links with their modes, owners and
 * times, paths relative to the source's root, long and non-ASCII names in pax headers. Each file's
 * content is checked against its recorded SHA-256 as it is written.
 */
final class TarWriter {
    private final Repository repository;
    private final TreeReader trees;

    TarWriter(Repository repository) {
        this.repository = repository;
        this.trees = new TreeReader(repository);
    }

    /** Writes the tar into {@code out} (left open) and returns the number of files. */
    long write(Snapshot snapshot, OutputStream out, ProgressListener progress) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new NonClosingOutputStream(out), 1 << 16);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        long[] files = {0};
        walk(snapshot.tree(), "", tar, files, progress);
        tar.finish();
        tar.close();
        return files[0];
    }

    private void walk(BlobId treeId, String prefix, TarArchiveOutputStream tar, long[] files,
                      ProgressListener progress) throws IOException {
        Tree tree = trees.load(treeId);
        for (Node node : tree.nodes()) {
            String reason = Node.unsafeNameReason(node.name());
            if (reason != null) {
                throw new RkException(ErrorCode.PROBLEMS_FOUND, "snapshot holds " + reason + " under '" + prefix
                        + "'; run 'rk verify'");
            }
            String path = prefix + node.name();
            if (node.isDir()) {
                TarArchiveEntry e = entry(path + "/", node, TarConstants.LF_DIR);
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
                if (node.subtree() != null) {
                    walk(node.subtree(), path + "/", tar, files, progress);
                }
            } else if (node.isSymlink()) {
                TarArchiveEntry e = entry(path, node, TarConstants.LF_SYMLINK);
                e.setLinkName(node.target());
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
            } else {
                TarArchiveEntry e = entry(path, node, TarConstants.LF_NORMAL);
                e.setSize(node.sizeOrZero());
                tar.putArchiveEntry(e);
                copyContent(node, path, tar);
                tar.closeArchiveEntry();
                files[0]++;
                progress.advance(node.sizeOrZero(), 1);
            }
        }
    }

    private void copyContent(Node node, String path, OutputStream out) throws IOException {
        MessageDigest sha = sha256();
        long written = 0;
        if (node.content() != null) {
            for (BlobId id : node.content()) {
                byte[] data = repository.loadBlob(BlobType.DATA, id);
                sha.update(data);
                out.write(data);
                written += data.length;
            }
        }
        if (written != node.sizeOrZero() || (node.sha256() != null
                && !node.sha256().equals(io.restorekit.common.Hex.encode(sha.digest())))) {
            throw new RkException(ErrorCode.PROBLEMS_FOUND, "stored content of '" + path
                    + "' does not match its recorded size or sha256; the export was stopped. Run 'rk verify --read-data'");
        }
    }

    private static TarArchiveEntry entry(String path, Node node, byte type) {
        TarArchiveEntry e = new TarArchiveEntry(path, type);
        e.setMode(node.modeOrDefault());
        if (node.uid() != null) {
            e.setUserId(node.uid());
        }
        if (node.gid() != null) {
            e.setGroupId(node.gid());
        }
        if (node.user() != null) {
            e.setUserName(node.user());
        }
        if (node.group() != null) {
            e.setGroupName(node.group());
        }
        if (node.mtimeInstant() != null) {
            e.setLastModifiedTime(FileTime.from(node.mtimeInstant()));
        }
        return e;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
