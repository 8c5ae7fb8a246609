package io.restorekit.source.files;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ExcludeMatcherTest {

    @Test
    @DisplayName("** spans folders, also none; * and ? stay within one name")
    void globs() {
        ExcludeMatcher m = new ExcludeMatcher(List.of("**/*.tmp", "cache", "logs/*.log", "build/**", "a?c", "*.{bak,old}"));
        assertThat(m.excludes("x.tmp")).isTrue();
        assertThat(m.excludes("d/e/x.tmp")).isTrue();
        assertThat(m.excludes("x.tmpl")).isFalse();
        assertThat(m.excludes("cache")).isTrue();
        assertThat(m.excludes("sub/cache")).isFalse();
        assertThat(m.excludes("logs/a.log")).isTrue();
        assertThat(m.excludes("logs/old/a.log")).isFalse();
        assertThat(m.excludes("build")).isFalse();
        assertThat(m.excludes("build/x/y")).isTrue();
        assertThat(m.excludes("abc")).isTrue();
        assertThat(m.excludes("a/c")).isFalse();
        assertThat(m.excludes("x.bak")).isTrue();
        assertThat(m.excludes("x.old")).isTrue();
        assertThat(m.excludes("d/x.old")).isFalse();
    }
}
