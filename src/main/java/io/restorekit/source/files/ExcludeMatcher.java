package io.restorekit.source.files;

import io.restorekit.common.BadInputException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Exclude globs matched against paths relative to the source root, with {@code /} as separator.
 * {@code *} and {@code ?} stay within one path component, {@code **} spans any number of them
 * ({@code **}{@code /x} also matches {@code x} at the root), {@code [abc]} and {@code {a,b}} work
 * as in shells. A pattern without {@code **} matches at the root only: {@code *.tmp} excludes
 * {@code a.tmp} but not {@code d/a.tmp}.
 */
public final class ExcludeMatcher {
    private final List<Pattern> patterns = new ArrayList<>();

    public ExcludeMatcher(List<String> globs) {
        for (String glob : globs) {
            String g = glob.startsWith("/") ? glob.substring(1) : glob;
            if (g.endsWith("/")) {
                g = g.substring(0, g.length() - 1);
            }
            if (g.isEmpty()) {
                throw new BadInputException("exclude pattern '" + glob + "' is empty; remove it or give a glob");
            }
            patterns.add(Pattern.compile(toRegex(g, glob)));
        }
    }

    /** Whether {@code relativePath} (no leading slash) is excluded. */
    public boolean excludes(String relativePath) {
        for (Pattern p : patterns) {
            if (p.matcher(relativePath).matches()) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    private static String toRegex(String g, String original) {
        StringBuilder re = new StringBuilder();
        int braces = 0;
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            switch (c) {
                case '*' -> {
                    if (i + 1 < g.length() && g.charAt(i + 1) == '*') {
                        boolean slashAfter = i + 2 < g.length() && g.charAt(i + 2) == '/';
                        boolean atStart = i == 0 || g.charAt(i - 1) == '/';
                        if (slashAfter && atStart) {
                            re.append("(?:.*/)?");
                            i += 2;
                        } else {
                            re.append(".*");
                            i += 1;
                        }
                    } else {
                        re.append("[^/]*");
                    }
                }
                case '?' -> re.append("[^/]");
                case '[' -> {
                    int end = g.indexOf(']', i + 1);
                    if (end < 0) {
                        throw new BadInputException("exclude pattern '" + original + "' has an unclosed '['");
                    }
                    String body = g.substring(i + 1, end);
                    if (body.startsWith("!")) {
                        body = "^" + body.substring(1);
                    }
                    re.append('[').append(body.replace("\\", "\\\\")).append(']');
                    i = end;
                }
                case '{' -> {
                    braces++;
                    re.append("(?:");
                }
                case '}' -> {
                    if (braces == 0) {
                        re.append("\\}");
                    } else {
                        braces--;
                        re.append(')');
                    }
                }
                case ',' -> re.append(braces > 0 ? "|" : ",");
                case '\\' -> {
                    if (i + 1 < g.length()) {
                        re.append(Pattern.quote(String.valueOf(g.charAt(++i))));
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        if (braces != 0) {
            throw new BadInputException("exclude pattern '" + original + "' has an unclosed '{'");
        }
        return re.toString();
    }
}
