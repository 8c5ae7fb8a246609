package io.restorekit.runbook;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed and validated runbook: its header and its steps, as written (parameters not yet substituted).
 *
 * @param name       the file name without {@code .rk}
 * @param role       the role an operator needs to run it ({@code operator} unless the header says otherwise)
 * @param targetTime how long the procedure should take at most; null when not stated
 * @param text       the file as stored
 */
public record Runbook(String name, String title, String description, String role, Duration targetTime,
                      List<Param> params, List<Step> steps, String text) {

    public Runbook {
        params = List.copyOf(params);
        steps = List.copyOf(steps);
    }

    public Optional<Param> param(String paramName) {
        return params.stream().filter(p -> p.name().equals(paramName)).findFirst();
    }

    /**
     * A parameter, written {@code param NAME [= DEFAULT] [-- DESCRIPTION]}.
     *
     * @param defaultValue null when the parameter is required
     */
    public record Param(String name, String defaultValue, String description) {
        public boolean required() {
            return defaultValue == null;
        }
    }

    /** What a step does. */
    public enum Kind {
        /** an {@code rk} command line, run in this process */
        RK,
        /** a line of text for the operator and the transcript */
        ECHO,
        /** a yes/no question; no means stop */
        CONFIRM
    }

    /**
     * One step as written.
     *
     * @param line              the line of the file it starts on
     * @param words             for {@link Kind#RK}: the command's words after {@code rk}, still holding {@code ${param}}
     * @param text              for {@link Kind#ECHO} and {@link Kind#CONFIRM}: the text, still holding {@code ${param}}
     * @param continueOnFailure written with {@code || continue}: a failure is recorded and the next step runs
     */
    public record Step(int line, Kind kind, List<String> words, String text, boolean continueOnFailure) {
        public Step {
            words = List.copyOf(words);
        }

        /** This step with every {@code ${param}} replaced by its value. */
        public Step expand(Map<String, String> values) {
            return new Step(line, kind, words.stream().map(w -> RunbookParser.substitute(w, values)).toList(),
                    text == null ? null : RunbookParser.substitute(text, values), continueOnFailure);
        }

        /** The step as one line: {@code rk restore --tenant 42}, {@code echo ...}, {@code confirm "..."}. */
        public String display() {
            return switch (kind) {
                case RK -> "rk " + String.join(" ", words.stream().map(Step::quote).toList())
                        + (continueOnFailure ? " || continue" : "");
                case ECHO -> "echo " + text;
                case CONFIRM -> "confirm \"" + text + "\"";
            };
        }

        private static String quote(String word) {
            if (!word.isEmpty() && word.chars().noneMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\'')) {
                return word;
            }
            return "\"" + word.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
    }
}
