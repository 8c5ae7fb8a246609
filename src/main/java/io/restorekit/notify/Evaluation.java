package io.restorekit.notify;

import java.util.List;
import java.util.Set;

/**
 * The outcome of applying rules: which alert keys were looked at, and which of them hold. An open
 * alert whose key was checked and does not hold any more has recovered; keys not checked are left as they are.
 */
public record Evaluation(Set<String> checked, List<Condition> found) {
    public static final Evaluation NONE = new Evaluation(Set.of(), List.of());

    public Evaluation {
        checked = Set.copyOf(checked);
        found = List.copyOf(found);
    }

    public Evaluation plus(Evaluation other) {
        return new Evaluation(union(checked, other.checked), concat(found, other.found));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.Set<String> out = new java.util.HashSet<>(a);
        out.addAll(b);
        return out;
    }

    private static List<Condition> concat(List<Condition> a, List<Condition> b) {
        java.util.List<Condition> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
