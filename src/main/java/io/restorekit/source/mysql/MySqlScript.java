package io.restorekit.source.mysql;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import io.restorekit.repository.Repository;
import io.restorekit.repository.Snapshot;
import io.restorekit.source.postgres.DatabaseManifest;
import io.restorekit.source.postgres.DatabaseManifest.Ddl;
import io.restorekit.source.postgres.DatabaseManifest.Phase;
import io.restorekit.source.postgres.RowScanner;
import io.restorekit.source.postgres.TableData;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static io.restorekit.source.mysql.MySqlConnect.ident;

/**
 * A MySQL or MariaDB snapshot as a plain SQL script for the {@code mariadb} or {@code mysql}
 * client, loaded into a database the operator created: the sequences (MariaDB), the tables as
 * {@code SHOW CREATE TABLE} printed them, each table's rows as multi-row {@code INSERT}s of about
 * {@link #STATEMENT} bytes in one transaction, then the sequences' next values, routines, views,
 * triggers and events under the {@code sql_mode} and character set each was created with — the
 * order and session of {@link MySqlRestore}. Rows are checked against the manifest's count and
 * digest as they are written.
 *
 * <p>Values come from the row text ({@link RowEncoder}) as it is: a text value's escapes
 * ({@code \\ \t \n \r \0}) are those of a MySQL string literal, so only its quotes are escaped;
 * numbers and temporal values are quoted text the server converts as {@code LOAD DATA} would;
 * binary values are {@code X'…'} and BIT values {@code 0x…}. The script sets the session it needs
 * first (utf8mb4, UTC, a {@code sql_mode} with backslash escapes and zero dates).
 */
public final class MySqlScript {
    /** Rows are cut into statements of about this many bytes (a single larger row is one statement). */
    static final int STATEMENT = 1 << 20;
    private static final Pattern PLAIN_SETTING = Pattern.compile("[A-Za-z0-9_,+:./-]*");

    private final Repository repository;

    public MySqlScript(Repository repository) {
        this.repository = repository;
    }

    /**
     * What follows {@code CREATE DATABASE name} for the database of {@code manifest}: its character
     * set and collation as the server printed them.
     */
    public static String createOptions(DatabaseManifest manifest) {
        return manifest.schema().stream().filter(d -> d.phase() == Phase.SCHEMAS).findFirst()
                .map(d -> MySqlSchema.createOptions(d.sql()).strip()
                        .replaceAll("/\\*!\\d+ ", "").replace(" */", "").strip())
                .orElse("DEFAULT CHARACTER SET utf8mb4");
    }

    /** Writes the script into {@code out} (left open) and returns the number of rows. */
    public long write(Snapshot snapshot, DatabaseManifest manifest, OutputStream out, ProgressListener progress)
            throws IOException {
        Map<Phase, List<Ddl>> byPhase = new LinkedHashMap<>();
        manifest.schema().forEach(d -> byPhase.computeIfAbsent(d.phase(), k -> new ArrayList<>()).add(d));
        text(out, "-- restorekit export of source '" + snapshot.source() + "', snapshot " + snapshot.id()
                + " taken " + snapshot.time() + "\n-- database '" + manifest.database() + "', " + manifest.server()
                + "\n-- load into a new database:\n--   mariadb -e 'CREATE DATABASE NEWDB " + createOptions(manifest)
                + "'\n--   mariadb --default-character-set=utf8mb4 --max-allowed-packet=1G --comments NEWDB < FILE\n\n");
        for (String s : MySqlConnect.SESSION) {
            text(out, s + ";\n");
        }
        text(out, "SET foreign_key_checks = 0;\nSET unique_checks = 0;\nSET autocommit = 0;\n");
        Map<String, SystemTime> history = SystemTime.withHistory(manifest);
        if (!history.isEmpty()) {
            // system-versioned tables' row versions keep their start and end (MariaDB 10.11 or later)
            text(out, "SET SESSION system_versioning_insert_history = 1;\n");
        }
        text(out, "\n");
        Map<String, String> tables = new LinkedHashMap<>();
        for (Ddl d : byPhase.getOrDefault(Phase.SEQUENCES, List.of())) {
            text(out, "-- " + d.object() + "\n" + terminated(d.sql()) + "\n");
        }
        for (Ddl d : MySqlRestore.tables(manifest)) {
            text(out, "-- " + d.object() + "\n" + terminated(d.sql()) + "\n");
            tables.put(d.object(), d.sql());
        }
        long rows = 0;
        for (DatabaseManifest.Table t : manifest.tables()) {
            String ddl = tables.get("table " + manifest.database() + "." + t.name());
            rows += data(out, t, ddl, history.get(t.name()), progress);
        }
        for (Ddl d : byPhase.getOrDefault(Phase.SEQUENCE_VALUES, List.of())) {
            text(out, "-- " + d.object() + "\n" + terminated(d.sql()) + "\n");
        }
        compound(out, byPhase.getOrDefault(Phase.FUNCTIONS, List.of()));
        for (Ddl d : viewsInOrder(byPhase.getOrDefault(Phase.VIEWS, List.of()))) {
            withSession(out, d, terminated(d.sql()));
        }
        compound(out, byPhase.getOrDefault(Phase.TRIGGERS, List.of()));
        compound(out, byPhase.getOrDefault(Phase.EVENTS, List.of()));
        text(out, "COMMIT;\nSET foreign_key_checks = 1;\nSET unique_checks = 1;\n-- end of export\n");
        return rows;
    }

    /** One table's rows as INSERT statements, committed together; checked against the manifest. */
    private long data(OutputStream out, DatabaseManifest.Table t, String ddl, SystemTime period,
                      ProgressListener progress) throws IOException {
        text(out, "-- data of " + t.qualifiedName() + ": " + t.rows() + " rows\n");
        if (t.rows() == 0 || t.columns().isEmpty()) {
            progress.advance(t.bytes(), 1);
            return 0;
        }
        if (ddl == null) {
            throw new RkException(ErrorCode.PROBLEMS_FOUND, "the snapshot's manifest has rows of table '"
                    + t.qualifiedName() + "' but no CREATE TABLE statement for it; the export was stopped");
        }
        Column.Kind[] kinds = kinds(t, ddl, period);
        StringBuilder head = new StringBuilder("INSERT INTO ").append(ident(t.name())).append(" (");
        for (int i = 0; i < t.columns().size(); i++) {
            head.append(i == 0 ? "" : ", ").append(ident(t.columns().get(i)));
        }
        head.append(") VALUES\n");
        RowScanner scanner = RowScanner.checking(t.digest(), -1);
        try (InputStream in = TableData.rows(repository, t, scanner)) {
            new Inserts(out, head.toString().getBytes(StandardCharsets.UTF_8), kinds).copy(in);
        }
        if (scanner.rows() != t.rows() || !scanner.digest().equals(t.digest())) {
            throw new RkException(ErrorCode.PROBLEMS_FOUND, "the stored rows of table '" + t.qualifiedName()
                    + "' do not match the snapshot's manifest; the export was stopped. Run 'rk verify --read-data'");
        }
        text(out, "COMMIT;\n\n");
        progress.advance(t.bytes(), 1);
        return t.rows();
    }

    /**
     * How each dumped column's values are written, from its type in the table's {@code SHOW CREATE
     * TABLE} text, where every column definition starts a line with two spaces and its quoted name.
     * The period columns of a system-versioned table, last, are timestamps (the hidden
     * {@code ROW_START} and {@code ROW_END} are not in that text).
     */
    static Column.Kind[] kinds(DatabaseManifest.Table t, String createTable, SystemTime period) {
        Column.Kind[] kinds = new Column.Kind[t.columns().size()];
        int periodFrom = period == null ? kinds.length : kinds.length - 2;
        for (int i = periodFrom; i < kinds.length; i++) {
            kinds[i] = Column.Kind.TEXT;
        }
        for (int i = 0; i < periodFrom; i++) {
            String name = t.columns().get(i);
            String start = "\n  " + ident(name) + " ";
            int at = createTable.indexOf(start);
            int p = at + start.length();
            int end = p;
            while (at >= 0 && end < createTable.length() && Character.isLetter(createTable.charAt(end))) {
                end++;
            }
            if (at < 0 || end == p) {
                throw new RkException(ErrorCode.PROBLEMS_FOUND, "cannot tell the type of column '" + name
                        + "' of table '" + t.qualifiedName() + "' from its CREATE TABLE statement; the export"
                        + " was stopped");
            }
            kinds[i] = Column.of(name, createTable.substring(p, end)).kind();
        }
        return kinds;
    }

    /** Rewrites row text as INSERT statements: a line per row, a statement per {@link #STATEMENT} bytes. */
    private static final class Inserts {
        private static final byte[] NULL = "NULL".getBytes(StandardCharsets.US_ASCII);
        private final OutputStream out;
        private final byte[] head;
        private final Column.Kind[] kinds;
        private final byte[] buf = new byte[1 << 16];
        private int length;
        private long statement;
        private int field;
        private boolean rowOpen;
        private boolean fieldOpen;
        /** The first bytes of the current field, held back until it is known not to be {@code \N}. */
        private final byte[] pending = new byte[2];
        private int pendingLength;

        Inserts(OutputStream out, byte[] head, Column.Kind[] kinds) {
            this.out = out;
            this.head = head;
            this.kinds = kinds;
        }

        void copy(InputStream in) throws IOException {
            byte[] chunk = new byte[1 << 16];
            for (int n; (n = in.read(chunk)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    take(chunk[i]);
                }
            }
            if (rowOpen) {
                take((byte) '\n'); // a last row without its newline
            }
            if (statement > 0) {
                put((byte) ';');
                put((byte) '\n');
            }
            flush();
        }

        private void take(byte b) throws IOException {
            if (!rowOpen) {
                if (statement == 0) {
                    put(head);
                    statement = head.length;
                } else {
                    put((byte) ',');
                    put((byte) '\n');
                }
                put((byte) '(');
                rowOpen = true;
                field = 0;
                fieldOpen = false;
                pendingLength = 0;
            }
            if (b == '\t' || b == '\n') {
                endField();
                if (b == '\t') {
                    field++;
                    put((byte) ',');
                    fieldOpen = false;
                    pendingLength = 0;
                } else {
                    put((byte) ')');
                    rowOpen = false;
                    if (statement >= STATEMENT) {
                        put((byte) ';');
                        put((byte) '\n');
                        statement = 0;
                    }
                }
                return;
            }
            if (!fieldOpen) {
                if (pendingLength == 2) {
                    throw new IOException("a value of the row text starts with \\N but goes on");
                }
                pending[pendingLength++] = b;
                if (pendingLength == 2 && !(pending[0] == '\\' && pending[1] == 'N')) {
                    openField();
                }
                return;
            }
            value(b);
        }

        /** Starts the field's literal and writes the bytes held back. */
        private void openField() throws IOException {
            Column.Kind kind = kind();
            put(kind == Column.Kind.HEX ? new byte[]{'X', '\''} : kind == Column.Kind.BIT ? new byte[]{'0', 'x'}
                    : new byte[]{'\''});
            fieldOpen = true;
            for (int i = 0; i < pendingLength; i++) {
                value(pending[i]);
            }
            pendingLength = 0;
        }

        private void endField() throws IOException {
            if (!fieldOpen) {
                if (pendingLength == 2) { // exactly \N
                    put(NULL);
                    return;
                }
                if (pendingLength == 0 && kind() == Column.Kind.BIT) {
                    throw new IOException("a BIT value in the row text is empty");
                }
                openField();
            }
            if (kind() != Column.Kind.BIT) {
                put((byte) '\'');
            }
        }

        private Column.Kind kind() throws IOException {
            if (field >= kinds.length) {
                throw new IOException("a row of the row text has more values than the table has columns");
            }
            return kinds[field];
        }

        private void value(byte b) throws IOException {
            if (b == '\'' && kinds[field] == Column.Kind.TEXT) {
                put((byte) '\\');
            }
            put(b);
        }

        private void put(byte[] b) throws IOException {
            for (byte x : b) {
                put(x);
            }
        }

        private void put(byte b) throws IOException {
            if (length == buf.length) {
                flush();
            }
            buf[length++] = b;
            statement++;
        }

        private void flush() throws IOException {
            out.write(buf, 0, length);
            length = 0;
        }
    }

    /** Routines, triggers and events: bodies hold semicolons, so each is sent with a delimiter of its own. */
    private static void compound(OutputStream out, List<Ddl> statements) throws IOException {
        for (Ddl d : statements) {
            String delimiter = ";;";
            for (int i = 0; d.sql().contains(delimiter); i++) {
                delimiter = "$$rk" + i + "$$";
            }
            withSession(out, d, "DELIMITER " + delimiter + "\n" + d.sql().strip() + delimiter + "\nDELIMITER ;\n");
        }
    }

    /** {@code statement} under the session settings it was captured with, the script's own restored after. */
    private static void withSession(OutputStream out, Ddl d, String statement) throws IOException {
        StringBuilder s = new StringBuilder("-- ").append(d.object()).append('\n');
        boolean set = false;
        if (d.session() != null) {
            for (Map.Entry<String, String> e : d.session().entrySet()) {
                if (e.getValue() != null) {
                    s.append("SET SESSION ").append(e.getKey()).append(" = ").append(setting(e.getValue())).append(";\n");
                    set = true;
                }
            }
        }
        s.append(statement);
        if (set) {
            for (String reset : MySqlConnect.SESSION) {
                s.append(reset).append(";\n");
            }
        }
        text(out, s.append('\n').toString());
    }

    private static String setting(String value) {
        return PLAIN_SETTING.matcher(value).matches() ? "'" + value + "'" : MySqlConnect.literal(value);
    }

    /**
     * Views after the views they select from (a view naming another, quoted, comes after it); the
     * captured order where names say nothing.
     */
    static List<Ddl> viewsInOrder(List<Ddl> views) {
        List<Ddl> left = new ArrayList<>(views);
        List<Ddl> out = new ArrayList<>();
        while (!left.isEmpty()) {
            Ddl next = null;
            for (Ddl v : left) {
                boolean waits = false;
                for (Ddl other : left) {
                    if (other != v && v.sql().contains(ident(MySqlSchema.objectName(other)))) {
                        waits = true;
                        break;
                    }
                }
                if (!waits) {
                    next = v;
                    break;
                }
            }
            if (next == null) {
                next = left.get(0); // names that look circular: keep the captured order
            }
            left.remove(next);
            out.add(next);
        }
        return out;
    }

    private static String terminated(String sql) {
        String s = sql.strip();
        return s.endsWith(";") ? s + "\n" : s + ";\n";
    }

    private static void text(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
    }
}
