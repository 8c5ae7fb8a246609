package io.restorekit.repository;

import io.restorekit.repository.crypto.Envelope;
import io.restorekit.repository.crypto.Sha256;
import io.restorekit.repository.index.IndexFile;
import io.restorekit.storage.FileInfo;
import io.restorekit.storage.Handle;
import io.restorekit.storage.Kind;
import io.restorekit.storage.ObjectNotFoundException;
import io.restorekit.storage.Payload;

import javax.crypto.AEADBadTagException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Prune's marks under {@code marks/} (docs/repository-format.md §9a): packs awaiting deletion. */
final class Marks {
    private final Repository repo;

    Marks(Repository repo) {
        this.repo = repo;
    }

    /**
     * The stored JSON of a mark.
     *
     * @param blobs base64 of an index body (§7) naming the marked packs' blobs, so that readers still
     *              find a blob a snapshot written since needs until a later prune indexes it again
     */
    record MarkFile(int version, Instant time, List<String> packs, String blobs) {
        MarkFile {
            packs = packs == null ? List.of() : List.copyOf(packs);
        }
    }

    /** A mark found in the repository; {@code index} is null when it carries no blob list. */
    record Mark(String id, Instant time, List<String> packs, IndexFile index) {
    }

    List<Mark> list() throws IOException {
        List<Mark> out = new ArrayList<>();
        for (FileInfo f : Repository.list(repo.storage, Kind.MARK)) {
            String id = f.handle().name();
            try {
                byte[] stored = repo.storage.readAll(f.handle());
                if (!Sha256.hex(stored).equals(id)) {
                    continue;
                }
                MarkFile m = repo.json.readValue(Envelope.unwrap(repo.sealer, stored), MarkFile.class);
                IndexFile index = null;
                if (m.blobs() != null) {
                    try {
                        index = IndexFile.decode(Base64.getDecoder().decode(m.blobs()));
                    } catch (IOException | IllegalArgumentException bad) {
                        // the packs are still marked; their blobs are just not readable through the mark
                    }
                }
                out.add(new Mark(id, m.time(), m.packs(), index));
            } catch (ObjectNotFoundException | AEADBadTagException gone) {
                // removed meanwhile, or not ours: marks nothing
            }
        }
        out.sort((a, b) -> a.time().compareTo(b.time()));
        return out;
    }

    String write(Instant time, List<IndexFile.PackBlobs> packs) throws IOException {
        String blobs = Base64.getEncoder().encodeToString(new IndexFile(List.of(), packs).encode());
        MarkFile file = new MarkFile(1, time, packs.stream().map(IndexFile.PackBlobs::packId).toList(), blobs);
        byte[] stored = Envelope.wrap(repo.sealer, repo.json.writeValueAsBytes(file));
        String id = Sha256.hex(stored);
        repo.storage.save(new Handle(Kind.MARK, id), Payload.of(stored));
        return id;
    }
}
