package io.restorekit.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * One value of parsed YAML together with the key path that led to it, so that every binding error
 * can say {@code file: path: what was expected, got what}.
 */
final class YamlNode {
    private final String file;
    private final String path;
    private final Object value;
    private final UnaryOperator<String> expand;

    YamlNode(String file, String path, Object value, UnaryOperator<String> expand) {
        this.file = file;
        this.path = path;
        this.value = value;
        this.expand = expand;
    }

    String path() {
        return path;
    }

    boolean isMissing() {
        return value == null;
    }

    InvalidConfigException error(String problem) {
        return new InvalidConfigException(file + ": " + (path.isEmpty() ? "" : path + ": ") + problem);
    }

    private InvalidConfigException expected(String what, String type) {
        return error("expected " + what + " (" + type + "), got " + describe(value));
    }

    /** The keys of a mapping, refusing any key not in {@code allowed}. */
    Fields fields(String what, String... allowed) {
        if (!(value instanceof Map<?, ?> map)) {
            throw expected(what, "a mapping");
        }
        Set<String> known = new LinkedHashSet<>(List.of(allowed));
        Map<String, Object> entries = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!known.contains(key)) {
                throw child(key, null).error("unknown key; expected one of " + String.join(", ", known));
            }
            entries.put(key, e.getValue());
        }
        return new Fields(entries);
    }

    /** The entries of a mapping whose keys are names chosen by the user (modules). */
    Map<String, YamlNode> namedEntries(String what) {
        if (!(value instanceof Map<?, ?> map)) {
            throw expected(what, "a mapping");
        }
        Map<String, YamlNode> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), child(String.valueOf(k), v)));
        return out;
    }

    List<YamlNode> list(String what) {
        if (!(value instanceof List<?> list)) {
            throw expected(what, "a list");
        }
        List<YamlNode> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(new YamlNode(file, path + "[" + i + "]", list.get(i), expand));
        }
        return out;
    }

    /** A list of strings; a single string is accepted as a list of one. */
    List<String> strings(String what) {
        if (value instanceof String) {
            return List.of(string(what));
        }
        if (!(value instanceof List<?>)) {
            throw expected(what, "a list of strings");
        }
        return list(what).stream().map(n -> n.string(what)).toList();
    }

    String string(String what) {
        if (value instanceof Map<?, ?> || value instanceof List<?> || value == null) {
            throw expected(what, "string");
        }
        String text = String.valueOf(value);
        if (text.isBlank()) {
            throw expected(what, "string");
        }
        if (!(value instanceof String)) {
            return text;
        }
        try {
            return expand.apply(text);
        } catch (UnsetVariable e) {
            throw error("environment variable '" + e.variable + "' is not set");
        }
    }

    /** The value under {@code key} of a mapping as text, without any checks; null when absent. */
    String peek(String key) {
        return value instanceof Map<?, ?> map && map.get(key) instanceof String s ? s : null;
    }

    int integer(String what, int min) {
        Object v = value;
        if (v instanceof String s && s.strip().matches("-?\\d{1,9}")) {
            v = Integer.parseInt(s.strip());
        }
        if (!(v instanceof Integer i)) {
            throw expected(what, "integer");
        }
        if (i < min) {
            throw error("expected " + what + " (integer >= " + min + "), got " + i);
        }
        return i;
    }

    boolean bool(String what) {
        if (!(value instanceof Boolean b)) {
            throw expected(what, "true or false");
        }
        return b;
    }

    YamlNode child(String key, Object childValue) {
        return new YamlNode(file, path.isEmpty() ? key : path + "." + key, childValue, expand);
    }

    static String describe(Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (value instanceof List<?>) {
            return "a list";
        }
        if (value instanceof String s) {
            return "'" + s + "'";
        }
        return String.valueOf(value);
    }

    /** A {@code ${NAME}} whose variable is not set; thrown by the expansion, reported with the key path. */
    static final class UnsetVariable extends RuntimeException {
        final String variable;

        UnsetVariable(String variable) {
            super(variable, null, false, false);
            this.variable = variable;
        }
    }

    /** The keys of one mapping, each looked up at most as a {@link YamlNode}. */
    final class Fields {
        private final Map<String, Object> entries;

        private Fields(Map<String, Object> entries) {
            this.entries = entries;
        }

        boolean has(String key) {
            return entries.get(key) != null;
        }

        /** The node of {@code key}; {@link YamlNode#isMissing()} when absent or empty. */
        YamlNode get(String key) {
            return child(key, entries.get(key));
        }

        YamlNode required(String key, String what) {
            if (!has(key)) {
                throw error("missing required key '" + key + "' (" + what + ")");
            }
            return get(key);
        }

        String string(String key, String what) {
            return has(key) ? get(key).string(what) : null;
        }

        String string(String key, String what, String orElse) {
            return has(key) ? get(key).string(what) : orElse;
        }

        String requiredString(String key, String what) {
            return required(key, what).string(what);
        }

        int integer(String key, String what, int min, int orElse) {
            return has(key) ? get(key).integer(what, min) : orElse;
        }

        boolean bool(String key, String what, boolean orElse) {
            return has(key) ? get(key).bool(what) : orElse;
        }

        List<String> strings(String key, String what) {
            return has(key) ? get(key).strings(what) : List.of();
        }
    }
}
