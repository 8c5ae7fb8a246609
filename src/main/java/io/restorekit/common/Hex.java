package io.restorekit.common;

import java.util.HexFormat;

/** Lowercase hex encoding of ids. */
public final class Hex {
    private static final HexFormat HEX = HexFormat.of();

    private Hex() {
    }

    public static String encode(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    public static byte[] decode(String hex) {
        try {
            return HEX.parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("'" + hex + "' is not a hex id");
        }
    }
}
