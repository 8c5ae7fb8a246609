package io.restorekit.source.postgres;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A table's stored rows (row text, as in the snapshot) matched against the database's current
 * rows by primary key: current rows the snapshot lacks are deleted, those that differ are updated
 * to the stored row, stored rows missing now are inserted. Without a primary key the rows are
 * compared as a multiset, and applying replaces them all ({@link #replaceAll()}).
 *
 * @param deleteKeys primary keys (tab-separated fields) of the rows to delete
 * @param updates    stored rows that replace the current row with their key
 * @param inserts    stored rows to insert
 */
public record RowMatch(List<String> deleteKeys, List<String> updates, List<String> inserts, long toDelete,
                       long toInsert, long unchanged, boolean replaceAll) {

    public static RowMatch of(DatabaseManifest.Table t, List<String> stored, List<String> current) {
        int[] key = keyIndexes(t);
        if (key == null) {
            Map<String, Integer> counts = new HashMap<>();
            stored.forEach(l -> counts.merge(l, 1, Integer::sum));
            long unchanged = 0;
            for (String l : current) {
                Integer n = counts.get(l);
                if (n != null && n > 0) {
                    counts.put(l, n - 1);
                    unchanged++;
                }
            }
            boolean replace = unchanged < current.size() || unchanged < stored.size();
            return new RowMatch(List.of(), List.of(), replace ? stored : List.of(), current.size() - unchanged,
                    stored.size() - unchanged, unchanged, replace);
        }
        boolean contiguous = true;
        for (int i = 1; i < key.length; i++) {
            contiguous &= key[i] == key[i - 1] + 1;
        }
        // Each current row takes its stored row out: what is left is to insert, in stored order.
        Map<String, String> wanted = new LinkedHashMap<>(stored.size() * 2);
        for (String l : stored) {
            wanted.put(key(l, key, contiguous), l);
        }
        List<String> deleteKeys = new ArrayList<>();
        List<String> updates = new ArrayList<>();
        long unchanged = 0;
        for (String l : current) {
            String k = key(l, key, contiguous);
            String w = wanted.remove(k);
            if (w == null) {
                deleteKeys.add(k);
            } else if (w.equals(l)) {
                unchanged++;
            } else {
                updates.add(w);
            }
        }
        List<String> inserts = new ArrayList<>(wanted.values());
        return new RowMatch(deleteKeys, updates, inserts, deleteKeys.size(), inserts.size(), unchanged, false);
    }

    /** Positions of the primary key's columns in the column list; null when it has none there. */
    private static int[] keyIndexes(DatabaseManifest.Table t) {
        if (t.primaryKey() == null || t.primaryKey().isEmpty()) {
            return null;
        }
        int[] out = new int[t.primaryKey().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.columns().indexOf(t.primaryKey().get(i));
            if (out[i] < 0) {
                return null;
            }
        }
        return out;
    }

    /**
     * The fields at {@code indexes} (ascending or not), tab-separated, without splitting the whole
     * line; fields that follow each other in the line are one substring of it.
     */
    private static String key(String line, int[] indexes, boolean contiguous) {
        if (indexes.length == 1) {
            return field(line, indexes[0]);
        }
        if (contiguous) {
            int start = start(line, indexes[0]);
            int end = start;
            for (int i = 0; i < indexes.length; i++) {
                end = line.indexOf('\t', i == 0 ? start : end + 1);
                if (end < 0) {
                    end = line.length();
                    break;
                }
            }
            return line.substring(start, end);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < indexes.length; i++) {
            if (i > 0) {
                sb.append('\t');
            }
            sb.append(field(line, indexes[i]));
        }
        return sb.toString();
    }

    private static int start(String line, int n) {
        int start = 0;
        for (int i = 0; i < n; i++) {
            start = line.indexOf('\t', start) + 1;
        }
        return start;
    }

    private static String field(String line, int n) {
        int start = start(line, n);
        int end = line.indexOf('\t', start);
        return line.substring(start, end < 0 ? line.length() : end);
    }
}
