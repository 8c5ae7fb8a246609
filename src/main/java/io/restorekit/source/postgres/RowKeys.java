package io.restorekit.source.postgres;

import java.util.List;

/**
 * The 64-bit hash of a row's primary key as it appears in the COPY text (docs/repository-format.md
 * §8, row deltas): FNV-1a over the key fields' raw text joined by one tab, then the MurmurHash3
 * {@code fmix64} finaliser; 0 is replaced by 1 so that 0 can mark an empty slot.
 *
 * @param fields the 0-based COPY fields of the key, in key order
 */
record RowKeys(int[] fields) {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    /** The key fields of {@code columns}; null when the table has no primary key among them. */
    static RowKeys of(List<String> columns, List<String> primaryKey) {
        if (primaryKey == null || primaryKey.isEmpty()) {
            return null;
        }
        int[] out = new int[primaryKey.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = columns.indexOf(primaryKey.get(i));
            if (out[i] < 0) {
                return null;
            }
        }
        return new RowKeys(out);
    }

    /** The key hash of the row {@code data[off, off + len)} (no newline). */
    long hash(byte[] data, int off, int len) {
        long h = FNV_OFFSET;
        for (int k = 0; k < fields.length; k++) {
            if (k > 0) {
                h = (h ^ '\t') * FNV_PRIME;
            }
            int want = fields[k];
            int end = off + len;
            int index = 0;
            int start = off;
            int i = off;
            // find the start of field 'want'
            while (index < want && i < end) {
                if (data[i] == '\t') {
                    index++;
                    start = i + 1;
                }
                i++;
            }
            if (index < want) {
                start = end;
            }
            for (int j = start; j < end && data[j] != '\t'; j++) {
                h = (h ^ (data[j] & 0xff)) * FNV_PRIME;
            }
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }
}
