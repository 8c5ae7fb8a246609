package io.restorekit.drill;

import io.restorekit.common.BadInputException;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the single number a drill check's query returns must be: {@code = 0}, {@code != 3},
 * {@code > 100}, {@code <= 5}, or {@code between 1 and 5} (both ends included).
 */
public record Expectation(String operator, BigDecimal value, BigDecimal upper) {
    private static final String NUMBER = "(-?\\d+(?:\\.\\d+)?)";
    private static final Pattern COMPARISON = Pattern.compile("(=|==|!=|<>|<|<=|>|>=)\\s*" + NUMBER);
    private static final Pattern BETWEEN = Pattern.compile("(?i)between\\s+" + NUMBER + "\\s+and\\s+" + NUMBER);

    /** Whether {@code text} is an expectation {@link #parse} accepts. */
    public static boolean isValid(String text) {
        String t = text == null ? "" : text.strip();
        return COMPARISON.matcher(t).matches() || BETWEEN.matcher(t).matches();
    }

    public static Expectation parse(String text) {
        String t = text == null ? "" : text.strip();
        Matcher m = COMPARISON.matcher(t);
        if (m.matches()) {
            String op = switch (m.group(1)) {
                case "==" -> "=";
                case "<>" -> "!=";
                default -> m.group(1);
            };
            return new Expectation(op, new BigDecimal(m.group(2)), null);
        }
        m = BETWEEN.matcher(t);
        if (m.matches()) {
            BigDecimal low = new BigDecimal(m.group(1));
            BigDecimal high = new BigDecimal(m.group(2));
            if (low.compareTo(high) > 0) {
                throw new BadInputException("expectation '" + t + "' has its bounds the wrong way round; write 'between "
                        + high.toPlainString() + " and " + low.toPlainString() + "'");
            }
            return new Expectation("between", low, high);
        }
        throw new BadInputException("expectation '" + t + "' is not understood; write a comparison and a number such"
                + " as '= 0', '> 100' or 'between 1 and 5'");
    }

    public boolean test(BigDecimal actual) {
        int c = actual.compareTo(value);
        return switch (operator) {
            case "=" -> c == 0;
            case "!=" -> c != 0;
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            case ">=" -> c >= 0;
            default -> c >= 0 && actual.compareTo(upper) <= 0;
        };
    }

    @Override
    public String toString() {
        return operator.equals("between") ? "between " + value.toPlainString() + " and " + upper.toPlainString()
                : operator + " " + value.toPlainString();
    }
}
