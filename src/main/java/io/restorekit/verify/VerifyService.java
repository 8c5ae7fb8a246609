package io.restorekit.verify;

import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.common.ErrorCode;
import io.restorekit.repository.BlobId;
import io.restorekit.repository.BlobType;
import io.restorekit.repository.CheckReport;
import io.restorekit.repository.LockRequest;
import io.restorekit.repository.Repository;
import io.restorekit.repository.RepositoryLock;
import io.restorekit.repository.Snapshot;
import io.restorekit.source.files.Node;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.RowScanner;
import io.restorekit.source.postgres.TableData;
import io.restorekit.source.files.Tree;
import io.restorekit.source.files.TreeReader;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies a repository and says what every problem affects. The repository check finds damaged
 * or missing objects and the blobs they hold; walking each snapshot's trees then finds which
 * snapshots and files need those blobs, and which blobs no index knows at all.
 *
 * <p>Takes a shared lock: verification never blocks backups.
 */
public final class VerifyService {
    public static final int MAX_FILES_LISTED = 50;

    private final Repository repository;

    public VerifyService(Repository repository) {
        this.repository = repository;
    }

    public VerifyReport verify(VerifyRequest request, ProgressListener progress) {
        long start = System.nanoTime();
        try (RepositoryLock lock = repository.lock(LockRequest.shared("verify"))) {
            List<Snapshot> snapshots = request.snapshot() == null
                    ? repository.snapshots()
                    : List.of(repository.loadSnapshot(request.snapshot()));
            Damage damage = new Damage();
            int packs = 0;
            long blobs = 0;
            long bytesRead = 0;
            if (request.snapshot() == null) {
                // The whole repository: the pack-by-pack check reads each byte once.
                CheckReport check = repository.check(request.readData(), progress);
                for (CheckReport.Finding f : check.findings()) {
                    damage.add(f.severity() == CheckReport.Severity.ERROR ? VerifyReport.Severity.ERROR
                            : VerifyReport.Severity.WARNING, f.object(), f.message(), f.blobs());
                }
                packs = check.packs();
                blobs = check.blobs();
                bytesRead = check.bytesRead();
            }
            Walk walk = new Walk(damage, request.snapshot() != null && request.readData(), request.readData(),
                    progress);
            for (Snapshot snapshot : snapshots) {
                walk.snapshot(snapshot);
            }
            if (request.snapshot() != null) {
                blobs = walk.blobsRead;
                bytesRead = walk.bytesRead;
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            return new VerifyReport(request.readData(), snapshots.size(), walk.files, packs, blobs, bytesRead, ms,
                    damage.problems());
        } catch (IOException e) {
            throw new RkException(ErrorCode.FAILED, "verification of '" + repository.storage().location()
                    + "' could not complete: " + e.getMessage(), e);
        }
    }

    /** Problems keyed by object, and which blob belongs to which problem. */
    private static final class Damage {
        private final Map<String, Entry> byObject = new LinkedHashMap<>();
        private final Map<BlobId, Entry> byBlob = new LinkedHashMap<>();

        void add(VerifyReport.Severity severity, String object, String message, Set<BlobId> blobs) {
            Entry e = entry(severity, object, message);
            for (BlobId b : blobs) {
                byBlob.putIfAbsent(b, e);
            }
        }

        Entry entry(VerifyReport.Severity severity, String object, String message) {
            return byObject.computeIfAbsent(object + "\n" + message, k -> new Entry(severity, object, message));
        }

        Entry of(BlobId blob) {
            return byBlob.get(blob);
        }

        boolean isEmpty() {
            return byBlob.isEmpty();
        }

        List<VerifyReport.Problem> problems() {
            List<VerifyReport.Problem> out = new ArrayList<>();
            for (Entry e : byObject.values()) {
                out.add(new VerifyReport.Problem(e.severity, e.object, e.message, List.copyOf(e.snapshots),
                        List.copyOf(e.files), e.moreFiles));
            }
            out.sort((a, b) -> a.severity().compareTo(b.severity()));
            return out;
        }
    }

    private static final class Entry {
        final VerifyReport.Severity severity;
        final String object;
        final String message;
        final Set<String> snapshots = new LinkedHashSet<>();
        final Set<String> files = new LinkedHashSet<>();
        long moreFiles;

        Entry(VerifyReport.Severity severity, String object, String message) {
            this.severity = severity;
            this.object = object;
            this.message = message;
        }

        void affects(Snapshot snapshot, String path) {
            snapshots.add(snapshot.id());
            String file = snapshot.shortId() + ":" + snapshot.source() + ":" + path;
            if (files.contains(file)) {
                return;
            }
            if (files.size() < MAX_FILES_LISTED) {
                files.add(file);
            } else {
                moreFiles++;
            }
        }
    }

    /** Walks snapshot trees, skipping subtrees already found whole. */
    private final class Walk {
        private final Damage damage;
        private final boolean readBlobs;
        private final boolean recomputeDigests;
        private final ProgressListener progress;
        private final TreeReader trees;
        private final Set<BlobId> wholeSubtrees = new HashSet<>();
        private final Set<BlobId> blobsVerified = new HashSet<>();
        long files;
        long blobsRead;
        long bytesRead;

        private final Set<String> tablesChecked = new HashSet<>();

        Walk(Damage damage, boolean readBlobs, boolean recomputeDigests, ProgressListener progress) {
            this.damage = damage;
            this.readBlobs = readBlobs;
            this.recomputeDigests = recomputeDigests;
            this.progress = progress;
            this.trees = new TreeReader(repository);
        }

        void snapshot(Snapshot snapshot) {
            if (snapshot.tree() == null) {
                return;
            }
            if (DatabaseManifest.isDatabase(snapshot.kind())) {
                database(snapshot);
                return;
            }
            walk(snapshot, snapshot.tree(), "");
        }

        /**
         * A database snapshot: its manifest, every table's chunks, and with {@code --read-data}
         * each table's row count and digest recomputed from its stored stream.
         */
        private void database(Snapshot snapshot) {
            DatabaseManifest manifest;
            try {
                manifest = DatabaseManifest.load(repository, snapshot.tree());
            } catch (IOException | RuntimeException e) {
                Entry known = damage.of(snapshot.tree());
                (known != null ? known : missingOrBroken(snapshot.tree(), BlobType.TREE, e)).affects(snapshot,
                        "(database manifest)");
                return;
            }
            for (DatabaseManifest.Table table : manifest.tables()) {
                files++;
                progress.advance(0, 1);
                String path = "table " + table.qualifiedName();
                boolean whole = true;
                for (BlobId blob : table.blobs()) {
                    Entry entry = damage.of(blob);
                    if (entry == null && !repository.canRead(BlobType.DATA, blob)) {
                        entry = missing(blob, BlobType.DATA);
                    }
                    if (entry != null) {
                        entry.affects(snapshot, path);
                        whole = false;
                    }
                }
                if (whole && recomputeDigests && tablesChecked.add(table.digest() + table.blobs())) {
                    digest(snapshot, table, path);
                }
            }
        }

        private void digest(Snapshot snapshot, DatabaseManifest.Table table, String path) {
            RowScanner scanner = RowScanner.checking(table.digest(), -1);
            // The table's rows as every reader sees them (base without superseded rows, then the
            // patch): the digest proves what a restore would load.
            try (InputStream rows = TableData.rows(repository, table, scanner)) {
                byte[] buffer = new byte[1 << 16];
                while (rows.read(buffer) >= 0) {
                    // the scanner counts and digests as the rows pass
                }
            } catch (IOException | RuntimeException e) {
                for (BlobId blob : table.blobs()) {
                    try {
                        repository.loadBlob(BlobType.DATA, blob);
                    } catch (IOException | RuntimeException broken) {
                        missingOrBroken(blob, BlobType.DATA, broken).affects(snapshot, path);
                        return;
                    }
                }
                damage.entry(VerifyReport.Severity.ERROR, path + " of snapshot " + snapshot.shortId(),
                        "the stored stream of table '" + table.qualifiedName() + "' cannot be read: " + e.getMessage())
                        .affects(snapshot, path);
                return;
            }
            boolean fresh = false;
            for (BlobId blob : table.blobs()) {
                if (blobsVerified.add(blob)) {
                    blobsRead++;
                    fresh = true;
                }
            }
            if (fresh) {
                bytesRead += scanner.bytes();
            }
            if (scanner.rows() != table.rows() || !scanner.digest().equals(table.digest())) {
                damage.entry(VerifyReport.Severity.ERROR, path + " of snapshot " + snapshot.shortId(),
                        "the stored stream of table '" + table.qualifiedName() + "' holds " + scanner.rows()
                                + " rows with digest " + RowScanner.shortDigest(scanner.digest()) + "; the manifest says "
                                + table.rows() + " rows with digest " + RowScanner.shortDigest(table.digest()))
                        .affects(snapshot, path);
            }
        }

        /** Returns true when everything below {@code treeId} is whole. */
        private boolean walk(Snapshot snapshot, BlobId treeId, String path) {
            if (wholeSubtrees.contains(treeId)) {
                return true;
            }
            Tree tree;
            Entry known = damage.of(treeId);
            try {
                tree = trees.load(treeId);
            } catch (IOException | RuntimeException e) {
                Entry entry = known != null ? known : missingOrBroken(treeId, BlobType.TREE, e);
                entry.affects(snapshot, path.isEmpty() ? "/" : path + "/");
                return false;
            }
            boolean whole = known == null;
            if (known != null) {
                known.affects(snapshot, path.isEmpty() ? "/" : path + "/");
            }
            for (Node node : tree.nodes()) {
                String child = path.isEmpty() ? node.name() : path + "/" + node.name();
                if (node.isDir() && node.subtree() != null) {
                    whole &= walk(snapshot, node.subtree(), child);
                } else if (node.isFile()) {
                    files++;
                    progress.advance(0, 1);
                    whole &= file(snapshot, node, child);
                }
            }
            if (whole) {
                wholeSubtrees.add(treeId);
            }
            return whole;
        }

        private boolean file(Snapshot snapshot, Node node, String path) {
            boolean whole = true;
            if (node.content() == null) {
                return true;
            }
            for (BlobId blob : node.content()) {
                Entry entry = damage.of(blob);
                if (entry == null && !repository.canRead(BlobType.DATA, blob)) {
                    entry = missing(blob, BlobType.DATA);
                }
                if (entry == null && readBlobs && blobsVerified.add(blob)) {
                    try {
                        bytesRead += repository.loadBlob(BlobType.DATA, blob).length;
                        blobsRead++;
                    } catch (IOException | RuntimeException e) {
                        entry = missingOrBroken(blob, BlobType.DATA, e);
                    }
                }
                if (entry != null) {
                    entry.affects(snapshot, path);
                    whole = false;
                }
            }
            return whole;
        }

        private Entry missing(BlobId blob, BlobType type) {
            damage.add(VerifyReport.Severity.ERROR, "blob " + blob.hex(),
                    type.name().toLowerCase() + " blob " + blob.shortHex() + " is not in any pack of the index",
                    Set.of(blob));
            return damage.of(blob);
        }

        private Entry missingOrBroken(BlobId blob, BlobType type, Exception e) {
            if (!repository.canRead(type, blob)) {
                return missing(blob, type);
            }
            damage.add(VerifyReport.Severity.ERROR, "blob " + blob.hex(),
                    type.name().toLowerCase() + " blob " + blob.shortHex() + " cannot be read: " + e.getMessage(),
                    Set.of(blob));
            return damage.of(blob);
        }
    }
}
