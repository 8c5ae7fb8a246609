package io.restorekit.retention;

import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.common.ProgressListener;
import io.restorekit.repository.Repository;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.Payload;
import io.restorekit.storage.Storage;
import io.restorekit.storage.decorator.ForwardingStorage;
import io.restorekit.storage.local.LocalStorage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Object Lock as restorekit sees it, through a storage wrapper that behaves like an S3 bucket with
 * Object Lock (S3Proxy answers 501 to Object Lock calls, and s3mock is not available here): every
 * object but locks and marks is retained for a set time from its save, and removing a retained
 * object fails.
 */
@DisplayName("With Object Lock")
class ObjectLockTest {
    @TempDir
    Path tmp;

    static final class RetainingStorage extends ForwardingStorage {
        final Map<Handle, Instant> until = new ConcurrentHashMap<>();
        volatile Duration retention;

        RetainingStorage(Storage inner, Duration retention) {
            super(inner);
            this.retention = retention;
        }

        @Override
        public void save(Handle handle, Payload payload) throws IOException {
            super.save(handle, payload);
            if (handle.kind() != Kind.LOCK && handle.kind() != Kind.MARK && retention != null) {
                until.put(handle, Instant.now().plus(retention));
            }
        }

        @Override
        public void remove(Handle handle) throws IOException {
            Instant u = until.get(handle);
            if (u != null && u.isAfter(Instant.now())) {
                throw new IOException("AccessDenied: " + handle + " is under retention until " + u);
            }
            super.remove(handle);
        }

        @Override
        public boolean supportsRetention() {
            return true;
        }

        @Override
        public Instant retainUntil(Handle handle) {
            return until.get(handle);
        }
    }

    @Test
    @DisplayName("forget and prune leave objects under retention in place, marked for a later prune; the repository verifies")
    void skipsLocked() throws IOException {
        Path repoDir = tmp.resolve("repo");
        RetainingStorage storage = new RetainingStorage(LocalStorage.create(repoDir), Duration.ofDays(30));
        InMemoryCatalog catalog = new InMemoryCatalog();
        try (Repository r = Repository.init(storage, PruneFixture.PASSWORD.toCharArray(),
                new io.restorekit.repository.RepositoryOptions(
                        io.restorekit.repository.RepositoryOptions.KdfParams.cheap(), PruneFixture.PACK_SIZE))) {
            PruneFixture.dailyBackups(r, tmp.resolve("src"), 8, 9);
            // The first four snapshots' objects are under retention; what follows is not.
            List<String> all = r.snapshots().stream().map(s -> s.id()).toList();
            for (String id : all.subList(1, 8)) {
                storage.until.remove(new Handle(Kind.SNAPSHOT, id));
            }
            ForgetResult forgot = new ForgetService(r, catalog, Clock.systemUTC()).forget(new ForgetRequest(
                    PruneServiceTest.KEEP_LAST_4, false, ZoneOffset.UTC), ProgressListener.NONE);
            assertThat(forgot.locked()).isEqualTo(1);
            assertThat(forgot.removed()).isEqualTo(3);
            assertThat(r.snapshots()).hasSize(5);

            PruneResult pruned = new PruneService(r, catalog, Clock.systemUTC()).prune(new PruneRequest(false, 0.3,
                    Duration.ZERO), ProgressListener.NONE);
            assertThat(pruned.report().deletedPacks()).isZero();
            assertThat(pruned.report().lockedPacks()).isPositive();
            assertThat(r.packsAwaitingDeletion()).hasSize(pruned.report().markedPacks());
            assertThat(PruneFixture.verify(r).problems()).isEmpty();

            // Once the retention has run out, the next prune deletes them.
            storage.until.clear();
            PruneResult later = new PruneService(r, catalog, Clock.systemUTC()).prune(new PruneRequest(false, 0.3,
                    Duration.ZERO), ProgressListener.NONE);
            assertThat(later.report().deletedPacks()).isPositive();
            assertThat(later.report().lockedPacks()).isZero();
            PruneFixture.assertVerifies(r);
        }
    }

    @Test
    @DisplayName("verify --locks finds objects (packs, snapshots, dictionaries) locked for less long than the kept snapshots' planned expiry")
    void audit() throws IOException {
        Path repoDir = tmp.resolve("repo");
        RetainingStorage storage = new RetainingStorage(LocalStorage.create(repoDir), Duration.ofDays(10));
        try (Repository r = Repository.init(storage, PruneFixture.PASSWORD.toCharArray(),
                new io.restorekit.repository.RepositoryOptions(
                        io.restorekit.repository.RepositoryOptions.KdfParams.cheap(), PruneFixture.PACK_SIZE))) {
            PruneFixture.dailyBackups(r, tmp.resolve("src"), 3, 13);
            // The audit as of the day of the last backup, with every object locked for 10 days from
            // then: the figures do not depend on the day the test runs.
            Instant now = PruneFixture.DAY0.plus(Duration.ofDays(2));
            storage.until.replaceAll((h, u) -> now.plus(Duration.ofDays(10)));
            LockAuditService audit = new LockAuditService(r, new InMemoryCatalog(), Clock.fixed(now, ZoneOffset.UTC));
            // daily 30: a snapshot of today is kept for 30 days; 10 days of retention fall short.
            RetentionPolicy daily30 = RetentionPolicy.of(new Policy(0, 0, 30, 0, 0, 0, null, List.of()));
            LockAuditReport shortReport = audit.audit(daily30, ZoneOffset.UTC);
            assertThat(shortReport.ok()).isFalse();
            assertThat(shortReport.snapshots()).isEqualTo(3);
            assertThat(shortReport.shortfalls()).isNotEmpty().allSatisfy(f -> {
                assertThat(f.lockedUntil()).isBefore(f.needed());
                assertThat(f.snapshots()).isNotEmpty();
            });
            // Retention until well after every planned expiry: nothing is short.
            storage.until.replaceAll((h, u) -> now.plus(Duration.ofDays(400)));
            LockAuditReport fine = audit.audit(daily30, ZoneOffset.UTC);
            assertThat(fine.shortfalls()).isEmpty();
            assertThat(fine.ok()).isTrue();
            assertThat(fine.objects()).isGreaterThan(3);
            // One pack not locked at all is reported as such.
            Handle pack = storage.until.keySet().stream().filter(h -> h.kind() == Kind.PACK).findFirst().orElseThrow();
            storage.until.remove(pack);
            assertThat(audit.audit(daily30, ZoneOffset.UTC).shortfalls()).singleElement()
                    .satisfies(f -> {
                        assertThat(f.object()).isEqualTo(pack.path());
                        assertThat(f.lockedUntil()).isNull();
                    });
            // The dictionary small files are compressed with is needed as long as any kept snapshot.
            storage.until.put(pack, now.plus(Duration.ofDays(400)));
            java.util.Random docs = new java.util.Random(3);
            for (long saved = 0; saved < 3L << 20; ) {
                byte[] doc = io.restorekit.source.files.FilesFixtures.invoice(docs);
                r.saveBlob(io.restorekit.repository.BlobType.DATA, doc, 0, doc.length);
                saved += doc.length;
            }
            r.flush();
            Handle dict = storage.until.keySet().stream().filter(h -> h.kind() == Kind.DICT).findFirst().orElseThrow();
            storage.until.replaceAll((h, u) -> now.plus(Duration.ofDays(400)));
            assertThat(audit.audit(daily30, ZoneOffset.UTC).shortfalls()).isEmpty();
            storage.until.put(dict, now.plus(Duration.ofDays(20)));
            assertThat(audit.audit(daily30, ZoneOffset.UTC).shortfalls()).singleElement()
                    .satisfies(f -> {
                        assertThat(f.object()).isEqualTo(dict.path()).startsWith("dicts/");
                        assertThat(f.needed()).isAfter(now.plus(Duration.ofDays(20)));
                        assertThat(f.snapshots()).hasSize(3);
                    });
        }
        try (Repository r = PruneFixture.open(new LocalStorage(repoDir))) {
            assertThat(new LockAuditService(r, new InMemoryCatalog(), Clock.systemUTC())
                    .audit(RetentionPolicy.of(Policy.KEEP_ALL), ZoneOffset.UTC).supported()).isFalse();
        }
    }
}
