package io.restorekit.runbook;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the runbook format. A header of {@code key: value} lines ({@code title} required;
 * {@code description} (may repeat), {@code role}, {@code target-time}) and
 * {@code param NAME [= DEFAULT] [-- DESCRIPTION]} lines, then a line {@code ---}, then the steps,
 * one per line: {@code rk COMMAND ARGS... [|| continue]}, {@code echo TEXT}, {@code confirm "QUESTION"}.
 * {@code #} starts a comment line; a line ending in {@code \} goes on on the next one; arguments
 * are split on blanks, with {@code "..."} or {@code '...'} quoting; {@code ${NAME}} is replaced
 * by a parameter's value. Every problem is reported with its line.
 */
public final class RunbookParser {
    /** The commands of the rk command contract (DESIGN.md §3); steps may use them before this build has them all. */
    public static final Set<String> CONTRACT_COMMANDS = Set.of("init", "backup", "snapshots", "ls", "versions",
            "verify", "restore", "drill", "forget", "prune", "copy", "export", "runbook", "status", "history",
            "audit", "daemon", "key", "import", "report", "demo", "doctor", "unlock", "index", "version", "help");
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern PARAM_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern PARAM = Pattern.compile(
            "param\\s+(\\S+?)\\s*(?:=\\s*(\"[^\"]*\"|\\S+))?\\s*(?:--\\s*(.*))?");
    private static final Pattern HEADER = Pattern.compile("([a-z-]+)\\s*:\\s*(.*)");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(s|m|h|d)");
    private static final Set<String> ROLES = Set.of("viewer", "operator", "admin");

    private RunbookParser() {
    }

    /**
     * Parses and validates {@code text}.
     *
     * @param commands the commands a step may use; null accepts any
     * @throws InvalidRunbookException listing every problem with its line
     */
    public static Runbook parse(String name, String text, Set<String> commands) {
        List<String> problems = new ArrayList<>();
        if (!NAME.matcher(name).matches()) {
            problems.add("the name '" + name + "' is not a runbook name (lower-case letters, digits, '.', '_', '-')");
        }
        String title = null;
        StringBuilder description = new StringBuilder();
        String role = "operator";
        Duration targetTime = null;
        Map<String, Runbook.Param> params = new LinkedHashMap<>();
        List<Runbook.Step> steps = new ArrayList<>();
        boolean inBody = false;

        List<Line> lines = joinContinuations(text);
        for (Line l : lines) {
            String s = l.text.strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            if (!inBody) {
                if (s.equals("---")) {
                    inBody = true;
                    continue;
                }
                if (s.startsWith("param ") || s.equals("param")) {
                    Matcher m = PARAM.matcher(s);
                    if (!m.matches() || !PARAM_NAME.matcher(m.group(1)).matches()) {
                        problems.add(l.where() + "expected 'param NAME [= DEFAULT] [-- DESCRIPTION]' with a"
                                + " lower-case NAME, got '" + s + "'");
                        continue;
                    }
                    String value = m.group(2);
                    if (value != null && value.startsWith("\"")) {
                        value = value.substring(1, value.length() - 1);
                    }
                    Runbook.Param p = new Runbook.Param(m.group(1), value, m.group(3) == null ? "" : m.group(3).strip());
                    if (params.putIfAbsent(p.name(), p) != null) {
                        problems.add(l.where() + "parameter '" + p.name() + "' is declared twice");
                    }
                    continue;
                }
                Matcher h = HEADER.matcher(s);
                if (!h.matches()) {
                    problems.add(l.where() + "expected a header line ('title: ...', 'param ...') or '---' before"
                            + " the steps, got '" + s + "'");
                    continue;
                }
                String value = h.group(2).strip();
                switch (h.group(1)) {
                    case "title" -> title = value;
                    case "description" -> description.append(description.isEmpty() ? "" : " ").append(value);
                    case "role" -> {
                        if (!ROLES.contains(value)) {
                            problems.add(l.where() + "role must be one of viewer, operator, admin, got '" + value + "'");
                        }
                        role = value;
                    }
                    case "target-time" -> {
                        Matcher d = DURATION.matcher(value.toLowerCase(Locale.ROOT));
                        if (!d.matches()) {
                            problems.add(l.where() + "target-time must be a duration such as 30m, 4h or 1d, got '"
                                    + value + "'");
                        } else {
                            targetTime = duration(Long.parseLong(d.group(1)), d.group(2));
                        }
                    }
                    default -> problems.add(l.where() + "unknown header '" + h.group(1)
                            + "'; known: title, description, role, target-time, param");
                }
                continue;
            }
            Runbook.Step step = step(l, s, commands, problems);
            if (step != null) {
                steps.add(step);
            }
        }
        if (title == null || title.isEmpty()) {
            problems.add("line 1: the header needs 'title: ...'");
        }
        if (!inBody) {
            problems.add("line " + (lines.isEmpty() ? 1 : lines.get(lines.size() - 1).number)
                    + ": no '---' line separates the header from the steps");
        } else if (steps.isEmpty()) {
            problems.add("line " + lines.get(lines.size() - 1).number + ": the runbook has no steps");
        }
        for (Runbook.Step step : steps) {
            for (String piece : step.kind() == Runbook.Kind.RK ? step.words() : List.of(step.text())) {
                Matcher m = REFERENCE.matcher(piece);
                while (m.find()) {
                    if (!params.containsKey(m.group(1))) {
                        problems.add("line " + step.line() + ": '${" + m.group(1) + "}' is not a declared parameter"
                                + (params.isEmpty() ? "" : " (declared: " + String.join(", ", params.keySet()) + ")"));
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRunbookException(name, problems);
        }
        return new Runbook(name, title, description.toString(), role, targetTime, List.copyOf(params.values()), steps,
                text);
    }

    private static Runbook.Step step(Line l, String s, Set<String> commands, List<String> problems) {
        List<String> words;
        try {
            words = split(s);
        } catch (IllegalArgumentException e) {
            problems.add(l.where() + e.getMessage());
            return null;
        }
        String verb = words.get(0);
        switch (verb) {
            case "rk" -> {
                boolean continueOnFailure = false;
                int n = words.size();
                if (n >= 2 && words.get(n - 2).equals("||") && words.get(n - 1).equals("continue")) {
                    continueOnFailure = true;
                    words = words.subList(0, n - 2);
                } else if (words.contains("||") || words.contains("&&") || words.contains("|") || words.contains(";")) {
                    problems.add(l.where() + "steps are single rk commands; only '|| continue' may follow one");
                    return null;
                }
                if (words.size() < 2) {
                    problems.add(l.where() + "'rk' needs a command, such as 'rk snapshots'");
                    return null;
                }
                String command = words.get(1);
                if (commands != null && !commands.contains(command)) {
                    problems.add(l.where() + "unknown command 'rk " + command + "'; run 'rk help' for the list");
                    return null;
                }
                return new Runbook.Step(l.number, Runbook.Kind.RK, words.subList(1, words.size()), null,
                        continueOnFailure);
            }
            case "echo" -> {
                String rest = s.substring(4).strip();
                if (rest.length() >= 2 && rest.startsWith("\"") && rest.endsWith("\"")) {
                    rest = rest.substring(1, rest.length() - 1);
                }
                return new Runbook.Step(l.number, Runbook.Kind.ECHO, List.of(), rest, false);
            }
            case "confirm" -> {
                if (words.size() != 2 || words.get(1).isBlank()) {
                    problems.add(l.where() + "expected 'confirm \"QUESTION\"' with the question in quotes");
                    return null;
                }
                return new Runbook.Step(l.number, Runbook.Kind.CONFIRM, List.of(), words.get(1), false);
            }
            default -> {
                problems.add(l.where() + "unknown step '" + verb + "'; a step is 'rk COMMAND ...', 'echo TEXT' or"
                        + " 'confirm \"QUESTION\"'");
                return null;
            }
        }
    }

    /** {@code text} with each {@code ${NAME}} replaced by its value from {@code values} (unknown ones left as they are). */
    public static String substitute(String text, Map<String, String> values) {
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Splits a command line on blanks; {@code "..."} (with {@code \"} and {@code \\}) and {@code '...'} quote. */
    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else if (c == '"' || c == '\'') {
                inWord = true;
                int end = i + 1;
                for (; end < line.length() && line.charAt(end) != c; end++) {
                    char q = line.charAt(end);
                    if (c == '"' && q == '\\' && end + 1 < line.length()
                            && (line.charAt(end + 1) == '"' || line.charAt(end + 1) == '\\')) {
                        end++;
                        q = line.charAt(end);
                    }
                    word.append(q);
                }
                if (end >= line.length()) {
                    throw new IllegalArgumentException("the quote " + c + " opened at column " + (i + 1)
                            + " is not closed");
                }
                i = end;
            } else {
                inWord = true;
                word.append(c);
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    private static Duration duration(long n, String unit) {
        return switch (unit) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private static List<Line> joinContinuations(String text) {
        List<Line> lines = new ArrayList<>();
        String[] raw = text.split("\r?\n", -1);
        for (int i = 0; i < raw.length; i++) {
            int start = i + 1;
            StringBuilder joined = new StringBuilder(raw[i]);
            while (joined.toString().stripTrailing().endsWith("\\") && i + 1 < raw.length) {
                String t = joined.toString().stripTrailing();
                joined.setLength(0);
                joined.append(t, 0, t.length() - 1).append(' ').append(raw[++i].strip());
            }
            lines.add(new Line(start, joined.toString()));
        }
        return lines;
    }

    private record Line(int number, String text) {
        String where() {
            return "line " + number + ": ";
        }
    }
}
