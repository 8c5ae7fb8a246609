package io.restorekit.source.files;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** One directory listing: the entries of a tree blob, sorted by the UTF-8 bytes of their names. */
public record Tree(List<Node> nodes) {

    /** Orders names by their UTF-8 bytes, unsigned, as the format requires. */
    public static final Comparator<String> NAME_ORDER = (x, y) -> {
        byte[] a = x.getBytes(StandardCharsets.UTF_8);
        byte[] b = y.getBytes(StandardCharsets.UTF_8);
        return java.util.Arrays.compareUnsigned(a, b);
    };

    public Tree {
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
    }

    /** A tree of {@code nodes} in the format's order. */
    public static Tree sorted(List<Node> nodes) {
        List<Node> copy = new ArrayList<>(nodes);
        copy.sort(Comparator.comparing(Node::name, NAME_ORDER));
        return new Tree(copy);
    }

    public Optional<Node> find(String name) {
        for (Node n : nodes) {
            if (n.name().equals(name)) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }
}
