package io.restorekit.restore;

import io.restorekit.common.BadInputException;
import io.restorekit.source.files.Node;
import io.restorekit.source.files.TreeReader;
import io.restorekit.repository.BlobId;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The paths of a tenant and/or module in a files source: the source's {@code tenant-path}
 * template with the tenant filled in (e.g. {@code tenant-42/**}), the module's path globs, or
 * their intersection. Globs are relative to the source root; {@code *} and {@code ?} stay within
 * one component, {@code **} spans any number of them.
 *
 * @param tenantGlob  null when no tenant is given
 * @param moduleGlobs null when no module is given
 */
public record PathScope(String tenant, String tenantGlob, String module, List<String> moduleGlobs) {
    public PathScope {
        moduleGlobs = moduleGlobs == null ? null : List.copyOf(moduleGlobs);
    }

    /** The scope of {@code tenant} under {@code template} ({@code {tenant}} replaced) and of a module's globs. */
    public static PathScope of(String tenant, String template, String module, List<String> moduleGlobs) {
        if (tenant != null && template == null) {
            throw new BadInputException("restoring files by --tenant needs 'tenant-path' (e.g. \"tenant-{tenant}/**\")"
                    + " on the source in the configuration");
        }
        if (tenant != null && (tenant.contains("/") || tenant.isBlank() || tenant.equals("..") || tenant.equals("."))) {
            throw new BadInputException("tenant '" + tenant + "' is not a valid tenant id");
        }
        return new PathScope(tenant, tenant == null ? null : template.replace("{tenant}", tenant), module,
                moduleGlobs);
    }

    /** A readable description: {@code tenant 42 (tenant-42/**), module billing}. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (tenant != null) {
            parts.add("tenant " + tenant + " (" + tenantGlob + ")");
        }
        if (module != null) {
            parts.add("module " + module + " (" + String.join(", ", moduleGlobs) + ")");
        }
        return String.join(", ", parts);
    }

    /**
     * The selections (path components) the scope covers in a snapshot's tree: whole folders where
     * everything below matches, single entries otherwise.
     */
    List<List<String>> select(TreeReader trees, BlobId root) throws IOException {
        List<Glob> tenantGlobs = tenantGlob == null ? null : List.of(new Glob(tenantGlob));
        List<Glob> modules = moduleGlobs == null ? null : moduleGlobs.stream().map(Glob::new).toList();
        List<List<String>> out = new ArrayList<>();
        walk(trees, root, new ArrayList<>(), tenantGlobs, modules, out);
        return out;
    }

    private static void walk(TreeReader trees, BlobId tree, List<String> prefix, List<Glob> tenant,
                             List<Glob> modules, List<List<String>> out) throws IOException {
        for (Node n : trees.load(tree).nodes()) {
            List<String> path = new ArrayList<>(prefix);
            path.add(n.name());
            if (n.isDir()) {
                if (all(tenant, g -> g.wholeBelow(path)) && all(modules, g -> g.wholeBelow(path))) {
                    out.add(path);
                } else if (n.subtree() != null && all(tenant, g -> g.mayMatchBelow(path))
                        && all(modules, g -> g.mayMatchBelow(path))) {
                    walk(trees, n.subtree(), path, tenant, modules, out);
                }
            } else if (all(tenant, g -> g.matches(path)) && all(modules, g -> g.matches(path))) {
                out.add(path);
            }
        }
    }

    /** True when no globs are given (no restriction), else when any of them holds. */
    private static boolean all(List<Glob> globs, java.util.function.Predicate<Glob> test) {
        return globs == null || globs.stream().anyMatch(test);
    }

    /** A path glob split into components. */
    static final class Glob {
        private final String[] parts;
        private final Pattern[] patterns;

        Glob(String glob) {
            String g = glob.startsWith("/") ? glob.substring(1) : glob;
            parts = g.split("/+");
            patterns = new Pattern[parts.length];
            for (int i = 0; i < parts.length; i++) {
                patterns[i] = parts[i].equals("**") ? null : Pattern.compile(regex(parts[i]));
            }
        }

        private static String regex(String part) {
            StringBuilder sb = new StringBuilder();
            for (char c : part.toCharArray()) {
                switch (c) {
                    case '*' -> sb.append("[^/]*");
                    case '?' -> sb.append("[^/]");
                    default -> sb.append(Pattern.quote(String.valueOf(c)));
                }
            }
            return sb.toString();
        }

        boolean matches(List<String> path) {
            return match(0, path, 0);
        }

        /** Every path below {@code dir} matches. */
        boolean wholeBelow(List<String> dir) {
            return parts[parts.length - 1].equals("**") && match(0, dir, 0);
        }

        /** Some path below {@code dir} could match. */
        boolean mayMatchBelow(List<String> dir) {
            return prefix(0, dir, 0);
        }

        private boolean match(int i, List<String> path, int j) {
            if (i == parts.length) {
                return j == path.size();
            }
            if (patterns[i] == null) {
                return match(i + 1, path, j) || (j < path.size() && match(i, path, j + 1));
            }
            return j < path.size() && patterns[i].matcher(path.get(j)).matches() && match(i + 1, path, j + 1);
        }

        private boolean prefix(int i, List<String> path, int j) {
            if (j == path.size()) {
                return i < parts.length;
            }
            if (i == parts.length) {
                return false;
            }
            if (patterns[i] == null) {
                return true;
            }
            return patterns[i].matcher(path.get(j)).matches() && prefix(i + 1, path, j + 1);
        }
    }
}
