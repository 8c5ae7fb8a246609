package io.restorekit.source.mysql;

import java.util.Set;

/**
 * A dumped column and how its values are written in the row text ({@link RowEncoder}).
 *
 * @param dataType information_schema {@code DATA_TYPE} (lower case)
 */
record Column(String name, String dataType, Kind kind) {
    private static final Set<String> BINARY = Set.of("binary", "varbinary", "tinyblob", "blob", "mediumblob",
            "longblob", "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring",
            "multipolygon", "geometrycollection");
    private static final Set<String> STRING = Set.of("char", "varchar", "tinytext", "text", "mediumtext",
            "longtext", "json", "enum", "set");
    /**
     * Types whose values the text protocol sends as the very text {@code CAST(... AS CHAR)} gives
     * (integers as digits, decimals with their scale, temporal values with their fraction, zero
     * dates as zeros, TIMESTAMP in the session's time zone): read raw ({@link RawRows}), they need no cast.
     */
    private static final Set<String> SAME_TEXT = Set.of("tinyint", "smallint", "mediumint", "int", "bigint",
            "decimal", "date", "datetime", "timestamp", "time", "year");

    /**
     * {@code TEXT}: the value's characters (UTF-8); {@code HEX}: the bytes as lower-case hex;
     * {@code BIT}: the value's bytes as hex, loaded back as a number.
     */
    enum Kind { TEXT, HEX, BIT }

    static Column of(String name, String dataType) {
        String t = dataType.toLowerCase(java.util.Locale.ROOT);
        Kind kind = BINARY.contains(t) ? Kind.HEX : t.equals("bit") ? Kind.BIT : Kind.TEXT;
        return new Column(name, t, kind);
    }

    /**
     * How rows are read: strings and binary values as they are; numbers and temporal values cast
     * to their text on the server, which the driver then hands over as bytes, unparsed (parsing
     * and formatting a DATETIME in the driver costs more than the rest of a row).
     */
    String read(String alias) {
        return read(alias, false);
    }

    /**
     * @param raw whether the rows are read raw ({@link RawRows}) rather than through
     *            {@code getBytes}, which cannot read numbers and temporal values uncast: then
     *            only the types whose text differs from their cast are cast
     */
    String read(String alias, boolean raw) {
        String column = alias + "." + MySqlConnect.ident(name);
        return kind != Kind.TEXT || STRING.contains(dataType) || raw && SAME_TEXT.contains(dataType) ? column
                : "CAST(" + column + " AS CHAR)";
    }

    /** The read expressions of {@code columns}, comma-separated. */
    static String readList(java.util.List<Column> columns, String alias) {
        return readList(columns, alias, false);
    }

    static String readList(java.util.List<Column> columns, String alias, boolean raw) {
        return String.join(", ", columns.stream().map(c -> c.read(alias, raw)).toList());
    }
}
