package io.restorekit.storage;

import java.util.regex.Pattern;

/** The name of one object: its kind and its name within the kind (empty for the config). */
public record Handle(Kind kind, String name) {
    private static final Pattern NAME = Pattern.compile("[0-9a-z][0-9a-z._-]{0,127}");

    public Handle {
        if (kind == Kind.CONFIG) {
            name = "";
        } else if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid object name '" + name + "' for " + kind);
        }
    }

    public static Handle config() {
        return new Handle(Kind.CONFIG, "");
    }

    /**
     * The path of this object relative to the repository root: {@code config}, {@code keys/<name>},
     * {@code data/<first two chars>/<name>} for packs.
     */
    public String path() {
        return switch (kind) {
            case CONFIG -> "config";
            case PACK -> "data/" + name.substring(0, Math.min(2, name.length())) + "/" + name;
            default -> kind.folder() + "/" + name;
        };
    }

    @Override
    public String toString() {
        return path();
    }
}
