package io.restorekit.source.postgres;

import io.restorekit.common.ErrorCode;
import io.restorekit.common.ProgressListener;
import io.restorekit.common.RkException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Runs a plain SQL script of the kind {@code pg_dump} writes — statements ending in {@code ;}, dollar-quoted
 * bodies, {@code COPY ... FROM stdin;} followed by rows up to {@code \.} — through JDBC, so a machine with
 * only a JDK can load it. psql meta-commands ({@code \connect}, {@code \restrict}) are skipped: the
 * script is loaded into the database given.
 */
public final class SqlScriptLoader {
    private final PgConnect target;

    public SqlScriptLoader(PgConnect target) {
        this.target = target;
    }

    /** What was loaded. */
    public record Result(long statements, long copies, long rows) {
    }

    /** Runs the whole script; the first failing statement stops it with its line number. */
    public Result load(BufferedReader script, String name, ProgressListener progress) throws IOException {
        long statements = 0;
        long copies = 0;
        long rows = 0;
        try (Connection c = target.open(); Statement st = c.createStatement()) {
            StringBuilder sql = new StringBuilder();
            Scanner scanner = new Scanner();
            int lineNo = 0;
            int startLine = 1;
            for (String line; (line = script.readLine()) != null; ) {
                lineNo++;
                if (sql.isEmpty() && scanner.idle()) {
                    startLine = lineNo;
                    String trimmed = line.strip();
                    if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                        continue;
                    }
                    if (trimmed.startsWith("\\")) {
                        continue; // a psql meta-command
                    }
                }
                sql.append(line).append('\n');
                if (!scanner.endsStatement(line)) {
                    continue;
                }
                String statement = sql.toString().strip();
                sql.setLength(0);
                try {
                    if (isCopyFromStdin(statement)) {
                        long[] counted = new long[1];
                        lineNo += copy(c, statement, script, counted, progress);
                        rows += counted[0];
                        copies++;
                    } else {
                        st.execute(statement);
                        statements++;
                    }
                } catch (SQLException e) {
                    throw new RkException(ErrorCode.FAILED, "'" + name + "' line " + startLine + ": " + e.getMessage()
                            + " (statement: " + abbreviate(statement) + ")", e);
                }
            }
            if (!sql.toString().isBlank()) {
                throw new RkException(ErrorCode.BAD_INPUT, "'" + name + "' ends inside a statement that starts at line "
                        + startLine + "; the file is cut short");
            }
        } catch (SQLException e) {
            throw target.failure("load '" + name + "' into", e);
        }
        return new Result(statements, copies, rows);
    }

    private static boolean isCopyFromStdin(String statement) {
        String upper = statement.toUpperCase(java.util.Locale.ROOT);
        return upper.startsWith("COPY ") && upper.matches("(?s).*\\bFROM\\s+STDIN\\b.*");
    }

    /** Streams the rows after a COPY statement into the server; returns how many lines it consumed. */
    private static int copy(Connection c, String statement, BufferedReader script, long[] rows,
                            ProgressListener progress) throws SQLException, IOException {
        String sql = statement.endsWith(";") ? statement.substring(0, statement.length() - 1) : statement;
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        int lines = 0;
        boolean ended = false;
        try {
            byte[] buffer = new byte[1 << 16];
            int used = 0;
            for (String line; (line = script.readLine()) != null; ) {
                lines++;
                if (line.equals("\\.")) {
                    ended = true;
                    break;
                }
                byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
                if (used + bytes.length > buffer.length) {
                    in.writeToCopy(buffer, 0, used);
                    used = 0;
                }
                if (bytes.length > buffer.length) {
                    in.writeToCopy(bytes, 0, bytes.length);
                } else {
                    System.arraycopy(bytes, 0, buffer, used, bytes.length);
                    used += bytes.length;
                }
                rows[0]++;
                progress.advance(bytes.length, 0);
            }
            if (used > 0) {
                in.writeToCopy(buffer, 0, used);
            }
            if (!ended) {
                in.cancelCopy();
                throw new RkException(ErrorCode.BAD_INPUT, "the data of '" + abbreviate(sql)
                        + "' has no end marker (a line '\\.'); the file is cut short");
            }
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
        return lines;
    }

    private static String abbreviate(String sql) {
        String one = sql.replaceAll("\\s+", " ");
        return one.length() > 120 ? one.substring(0, 117) + "..." : one;
    }

    /** Tracks quotes, comments and dollar-quoted bodies across lines to find where a statement ends. */
    static final class Scanner {
        private boolean inSingle;
        private boolean inDouble;
        private boolean inBlockComment;
        private String dollarTag;

        boolean idle() {
            return !inSingle && !inDouble && !inBlockComment && dollarTag == null;
        }

        /** Whether {@code line} ends a statement (a {@code ;} outside quotes and comments, last on the line). */
        boolean endsStatement(String line) {
            boolean ends = false;
            for (int i = 0; i < line.length(); i++) {
                char ch = line.charAt(i);
                if (inBlockComment) {
                    if (ch == '*' && i + 1 < line.length() && line.charAt(i + 1) == '/') {
                        inBlockComment = false;
                        i++;
                    }
                    continue;
                }
                if (dollarTag != null) {
                    if (ch == '$' && line.startsWith(dollarTag, i)) {
                        i += dollarTag.length() - 1;
                        dollarTag = null;
                    }
                    continue;
                }
                if (inSingle) {
                    if (ch == '\'') {
                        inSingle = false;
                    }
                    continue;
                }
                if (inDouble) {
                    if (ch == '"') {
                        inDouble = false;
                    }
                    continue;
                }
                if (ch == '-' && i + 1 < line.length() && line.charAt(i + 1) == '-') {
                    break;
                }
                if (ch == '/' && i + 1 < line.length() && line.charAt(i + 1) == '*') {
                    inBlockComment = true;
                    i++;
                    continue;
                }
                if (ch == '\'') {
                    inSingle = true;
                    ends = false;
                } else if (ch == '"') {
                    inDouble = true;
                    ends = false;
                } else if (ch == '$') {
                    int close = line.indexOf('$', i + 1);
                    if (close > 0 && line.substring(i + 1, close).matches("([A-Za-z_][A-Za-z_0-9]*)?")
                            && (i == 0 || !Character.isLetterOrDigit(line.charAt(i - 1)))) {
                        dollarTag = line.substring(i, close + 1);
                        i = close;
                        ends = false;
                    }
                } else if (ch == ';') {
                    ends = true;
                } else if (!Character.isWhitespace(ch)) {
                    ends = false;
                }
            }
            return ends && idle();
        }
    }
}
