package io.restorekit.archive;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;
import io.restorekit.repository.Snapshot;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.DatabaseManifest.Ddl;
import io.restorekit.source.postgres.DatabaseManifest.Phase;
import io.restorekit.source.postgres.PgConnect;
import io.restorekit.source.postgres.RowScanner;
import io.restorekit.source.postgres.TableData;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A database snapshot as a plain SQL script for {@code psql}: the schema in restore order, each table's
 * rows as {@code COPY ... FROM stdin} blocks, then constraints, indexes, foreign keys, sequence values,
 * views, triggers and comments — the layout of {@code pg_dump}'s plain format. Rows are checked against
 * the manifest's count and digest as they are written.
 *
 * <p>Functions and types whose creation order the schema reader could not fix are created where they
 * can be in a block that tolerates failure, and created again with {@code CREATE OR REPLACE} once
 * tables and views exist, so {@code psql -v ON_ERROR_STOP=1} runs the script to the end.
 */
final class SqlScriptWriter {
    private final Repository repository;

    SqlScriptWriter(Repository repository) {
        this.repository = repository;
    }

    /** Writes the script into {@code out} (left open) and returns the number of rows. */
    long write(Snapshot snapshot, OutputStream out, ProgressListener progress) throws IOException {
        DatabaseManifest manifest = DatabaseManifest.load(repository, snapshot.tree());
        text(out, "-- restorekit export of source '" + snapshot.source() + "', snapshot " + snapshot.id()
                + " taken " + snapshot.time() + "\n-- database '" + manifest.database() + "', PostgreSQL "
                + manifest.server() + "\n-- load with: psql -v ON_ERROR_STOP=1 --single-transaction -d NEWDB -f FILE\n\n"
                + "SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n"
                + "SET check_function_bodies = false;\nSET client_min_messages = warning;\n"
                + "SELECT pg_catalog.set_config('search_path', '', false);\n\n");
        statements(out, manifest, Phase.SCHEMAS, Phase.EXTENSIONS);
        inAnyOrder(out, of(manifest, Phase.TYPES), "to_regtype");
        statements(out, manifest, Phase.SEQUENCES);
        List<Ddl> functions = of(manifest, Phase.FUNCTIONS);
        for (Ddl f : functions) {
            text(out, "-- " + f.object() + " (again after the tables and views if it needs them)\n"
                    + "DO $restorekit$ BEGIN EXECUTE " + dollarQuoted(f.sql())
                    + "; EXCEPTION WHEN others THEN NULL; END $restorekit$;\n\n");
        }
        statements(out, manifest, Phase.TABLES, Phase.SEQUENCE_OWNERSHIP);
        long rows = 0;
        for (DatabaseManifest.Table t : manifest.tables()) {
            rows += copy(out, t, progress);
        }
        statements(out, manifest, Phase.CONSTRAINTS, Phase.INDEXES, Phase.FOREIGN_KEYS, Phase.SEQUENCE_VALUES);
        List<Ddl> viewsAndFunctions = new ArrayList<>(of(manifest, Phase.VIEWS));
        for (Ddl f : functions) {
            viewsAndFunctions.add(new Ddl(f.phase(), f.object(), orReplace(f.sql().strip())));
        }
        inAnyOrder(out, viewsAndFunctions, "to_regclass");
        statements(out, manifest, Phase.REFRESH, Phase.TRIGGERS, Phase.COMMENTS);
        text(out, "-- end of export\n");
        return rows;
    }

    private long copy(OutputStream out, DatabaseManifest.Table t, ProgressListener progress) throws IOException {
        String columns = t.columns().isEmpty() ? "" : " (" + t.columns().stream().map(PgConnect::ident)
                .collect(Collectors.joining(", ")) + ")";
        text(out, "-- data of " + t.qualifiedName() + ": " + t.rows() + " rows\nCOPY "
                + PgConnect.qualified(t.schema(), t.name()) + columns + " FROM stdin;\n");
        RowScanner scanner = RowScanner.checking(t.digest(), -1);
        byte[] buffer = new byte[1 << 16];
        int last = '\n';
        try (InputStream in = TableData.rows(repository, t, scanner)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                last = buffer[n - 1];
            }
        }
        if (scanner.rows() != t.rows() || !scanner.digest().equals(t.digest())) {
            throw new RkException(ErrorCode.PROBLEMS_FOUND, "the stored rows of table '" + t.qualifiedName()
                    + "' do not match the snapshot's manifest; the export was stopped. Run 'rk verify --read-data'");
        }
        text(out, (last == '\n' ? "" : "\n") + "\\.\n\n");
        progress.advance(t.bytes(), 1);
        return t.rows();
    }

    private static final java.util.regex.Pattern CREATED_NAME = java.util.regex.Pattern.compile(
            "^CREATE (?:MATERIALIZED )?(?:VIEW|TYPE|DOMAIN) ((?:\"(?:[^\"]|\"\")*\"|[^\\s.\"]+)"
                    + "(?:\\.(?:\"(?:[^\"]|\"\")*\"|[^\\s.\"]+))?)");

    /**
     * Objects that may depend on each other in an order the schema does not record (types on types,
     * views on views): a few tolerant rounds create what they can, then each missing one is created
     * plainly, so a real error still stops the script.
     */
    private static void inAnyOrder(OutputStream out, List<Ddl> statements, String lookup) throws IOException {
        if (statements.isEmpty()) {
            return;
        }
        int rounds = Math.min(statements.size() - 1, 4);
        for (int round = 0; round < rounds; round++) {
            for (Ddl d : statements) {
                String sql = d.sql().strip();
                if (!CREATED_NAME.matcher(sql).find() && !sql.startsWith("CREATE OR REPLACE ")) {
                    continue; // run once, below, when what it needs exists
                }
                text(out, "DO $restorekit$ BEGIN EXECUTE " + dollarQuoted(d.sql())
                        + "; EXCEPTION WHEN others THEN NULL; END $restorekit$;\n");
            }
        }
        for (Ddl d : statements) {
            java.util.regex.Matcher m = CREATED_NAME.matcher(d.sql().strip());
            if (rounds == 0 || !m.find()) {
                text(out, "-- " + d.object() + "\n" + terminated(d.sql()) + "\n");
            } else {
                String name = m.group(1).replace("'", "''");
                text(out, "-- " + d.object() + "\nDO $restorekit$ BEGIN IF " + lookup + "('" + name
                        + "') IS NULL THEN EXECUTE " + dollarQuoted(d.sql()) + "; END IF; END $restorekit$;\n\n");
            }
        }
    }

    private static void statements(OutputStream out, DatabaseManifest manifest, Phase... phases) throws IOException {
        for (Phase p : phases) {
            for (Ddl d : of(manifest, p)) {
                text(out, "-- " + d.object() + "\n" + terminated(d.sql()) + "\n");
            }
        }
    }

    private static List<Ddl> of(DatabaseManifest manifest, Phase phase) {
        List<Ddl> out = new ArrayList<>();
        for (Ddl d : manifest.schema()) {
            if (d.phase() == phase) {
                out.add(d);
            }
        }
        return out;
    }

    private static String terminated(String sql) {
        String s = sql.strip();
        return s.endsWith(";") ? s + "\n" : s + ";\n";
    }

    private static String orReplace(String sql) {
        return sql.startsWith("CREATE FUNCTION") || sql.startsWith("CREATE PROCEDURE")
                ? sql.replaceFirst("^CREATE ", "CREATE OR REPLACE ") : sql;
    }

    private static String dollarQuoted(String sql) {
        String tag = "$rkfn$";
        for (int i = 0; sql.contains(tag); i++) {
            tag = "$rkfn" + i + "$";
        }
        String body = sql.strip();
        if (body.endsWith(";")) {
            body = body.substring(0, body.length() - 1);
        }
        return tag + body + tag;
    }

    private static void text(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
    }
}
