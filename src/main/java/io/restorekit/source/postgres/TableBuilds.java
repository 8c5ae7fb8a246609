package io.restorekit.source.postgres;

import io.restorekit.source.postgres.DatabaseManifest.Ddl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The constraint and index statements of a restore, grouped by the one table each builds on, so
 * that a table's primary key, unique and check constraints and indexes can be built on one
 * connection as soon as its rows are loaded, while other tables still load.
 *
 * <p>A statement stays for afterwards ({@link #later}) when its table is not recognised, is not
 * loaded by the restore, or belongs to a partition or inheritance tree (a statement on a parent
 * reaches its children, which may still be loading).
 *
 * <p>A foreign key between two such tables is checked as soon as both tables' builds are done
 * ({@link #earlyKeys}), when no statement at all is left for afterwards (it might build the
 * unique index the key needs).
 *
 * @param early     per table ({@code schema.name}), its statements in manifest order: constraints, then indexes
 * @param later     the other statements, constraints first, in manifest order
 * @param earlyKeys foreign keys checked alongside the builds
 * @param laterKeys the other foreign keys, in manifest order
 */
record TableBuilds(Map<String, List<Ddl>> early, List<Ddl> later, List<ForeignKey> earlyKeys, List<Ddl> laterKeys) {
    /** A foreign key statement of {@code table} referencing {@code referenced}. */
    record ForeignKey(String table, String referenced, Ddl ddl) {
    }

    static TableBuilds of(List<Ddl> constraints, List<Ddl> indexes, Set<String> loaded, Set<String> entangled) {
        return of(constraints, indexes, List.of(), loaded, entangled);
    }

    /**
     * @param loaded    the tables whose rows the restore loads ({@code schema.name})
     * @param entangled tables in a partition or inheritance tree
     */
    static TableBuilds of(List<Ddl> constraints, List<Ddl> indexes, List<Ddl> foreignKeys, Set<String> loaded,
                          Set<String> entangled) {
        Map<String, List<Ddl>> early = new LinkedHashMap<>();
        List<Ddl> later = new ArrayList<>();
        for (List<Ddl> statements : List.of(constraints, indexes)) {
            for (Ddl d : statements) {
                String table = tableOf(d.sql());
                if (table != null && loaded.contains(table) && !entangled.contains(table)) {
                    early.computeIfAbsent(table, k -> new ArrayList<>()).add(d);
                } else {
                    later.add(d);
                }
            }
        }
        List<ForeignKey> earlyKeys = new ArrayList<>();
        List<Ddl> laterKeys = new ArrayList<>();
        for (Ddl d : foreignKeys) {
            String table = tableOf(d.sql());
            String referenced = referencedBy(d.sql());
            if (later.isEmpty() && table != null && referenced != null && !d.sql().strip().endsWith("NOT VALID")
                    && loaded.contains(table) && loaded.contains(referenced)
                    && !entangled.contains(table) && !entangled.contains(referenced)) {
                earlyKeys.add(new ForeignKey(table, referenced, d));
            } else {
                laterKeys.add(d);
            }
        }
        return new TableBuilds(early, later, earlyKeys, laterKeys);
    }

    /**
     * The referenced table ({@code schema.name}) of {@code ALTER TABLE [ONLY] t ADD CONSTRAINT c
     * FOREIGN KEY (...) REFERENCES r ...}; null for any other statement.
     */
    static String referencedBy(String sql) {
        Tokens t = new Tokens(sql);
        if (!t.word("ALTER") || !t.word("TABLE")) {
            return null;
        }
        t.word("ONLY");
        if (t.qualified() == null || !t.word("ADD") || !t.word("CONSTRAINT") || t.identifier() == null
                || !t.word("FOREIGN") || !t.word("KEY") || !t.skipParenthesised() || !t.word("REFERENCES")) {
            return null;
        }
        return t.qualified();
    }

    /**
     * The table ({@code schema.name}, unquoted) that {@code ALTER TABLE [ONLY] t ...} or
     * {@code CREATE [UNIQUE] INDEX name ON [ONLY] t ...} acts on; null for any other statement or
     * a name without its schema.
     */
    static String tableOf(String sql) {
        Tokens t = new Tokens(sql);
        if (t.word("ALTER") && t.word("TABLE")) {
            t.word("ONLY");
            return t.qualified();
        }
        t = new Tokens(sql);
        if (!t.word("CREATE")) {
            return null;
        }
        t.word("UNIQUE");
        if (!t.word("INDEX")) {
            return null;
        }
        if (t.word("IF")) {
            if (!t.word("NOT") || !t.word("EXISTS")) {
                return null;
            }
        }
        if (t.identifier() == null || !t.word("ON")) {
            return null;
        }
        t.word("ONLY");
        return t.qualified();
    }

    /** A cursor over the start of a statement: keywords and (possibly quoted) identifiers. */
    private static final class Tokens {
        private final String s;
        private int i;

        Tokens(String s) {
            this.s = s;
        }

        private void blanks() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        /** Consumes the keyword {@code w} (any case) when it comes next. */
        boolean word(String w) {
            blanks();
            int end = i + w.length();
            if (end <= s.length() && s.regionMatches(true, i, w, 0, w.length())
                    && (end == s.length() || !identifierChar(s.charAt(end)))) {
                i = end;
                return true;
            }
            return false;
        }

        private static boolean identifierChar(char ch) {
            return Character.isLetterOrDigit(ch) || ch == '_' || ch == '$';
        }

        /** The next identifier, unquoted (folded to lower case when it was not quoted); null when none. */
        String identifier() {
            blanks();
            if (i >= s.length()) {
                return null;
            }
            if (s.charAt(i) == '"') {
                StringBuilder out = new StringBuilder();
                for (int j = i + 1; j < s.length(); j++) {
                    char ch = s.charAt(j);
                    if (ch == '"') {
                        if (j + 1 < s.length() && s.charAt(j + 1) == '"') {
                            out.append('"');
                            j++;
                        } else {
                            i = j + 1;
                            return out.toString();
                        }
                    } else {
                        out.append(ch);
                    }
                }
                return null;
            }
            int start = i;
            if (!Character.isLetter(s.charAt(i)) && s.charAt(i) != '_') {
                return null;
            }
            while (i < s.length() && identifierChar(s.charAt(i))) {
                i++;
            }
            return s.substring(start, i).toLowerCase(Locale.ROOT);
        }

        /** Skips a parenthesised list of identifiers, e.g. a column list; false when none comes next. */
        boolean skipParenthesised() {
            blanks();
            if (i >= s.length() || s.charAt(i) != '(') {
                return false;
            }
            i++;
            while (true) {
                if (identifier() == null) {
                    return false;
                }
                blanks();
                if (i < s.length() && s.charAt(i) == ',') {
                    i++;
                } else if (i < s.length() && s.charAt(i) == ')') {
                    i++;
                    return true;
                } else {
                    return false;
                }
            }
        }

        /** {@code schema.name} of the next qualified name; null when it has no schema. */
        String qualified() {
            String schema = identifier();
            if (schema == null || i >= s.length() || s.charAt(i) != '.') {
                return null;
            }
            i++;
            String name = identifier();
            return name == null ? null : schema + "." + name;
        }
    }
}
