package io.restorekit.config;

import io.restorekit.retention.Age;
import io.restorekit.retention.Policy;
import io.restorekit.retention.RetentionPolicy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("retention: in restorekit.yml")
class RetentionConfigTest {
    private final ConfigLoader loader = new ConfigLoader(Map.of(), Path.of("/home/op"));

    private RkConfig parse(String retention) {
        return loader.parse("restorekit.yml", """
                repository: {url: /srv/rk}
                sources:
                  - {name: cctv, type: files, path: /srv/cctv}
                  - {name: accounting, type: files, path: /srv/acc}
                """ + retention, Path.of("/etc/rk"));
    }

    @Test
    @DisplayName("binds every key, and overrides inherit what they do not set")
    void everyKey() {
        RkConfig c = parse("""
                retention:
                  keep-last: 2
                  hourly: 24
                  daily: 30
                  weekly: 12
                  monthly: 12
                  yearly: 7
                  keep-within: 10d
                  keep-tag: [audit]
                  sources:
                    cctv: {keep-within: 30d, daily: 0, weekly: 0, monthly: 0, yearly: 0}
                  tags:
                    month-end: {monthly: 120}
                  legal-minimum:
                    accounting: 5y
                  repack-threshold: 30%
                  prune-grace: 6h
                  append-only: true
                """);
        RkConfig.Retention r = c.retention();
        assertThat(r.repackThreshold()).isEqualTo(30.0);
        assertThat(r.pruneGrace()).isEqualTo(Duration.ofHours(6));
        assertThat(r.appendOnly()).isTrue();
        RetentionPolicy p = r.toPolicy();
        assertThat(p.policy()).isEqualTo(new Policy(2, 24, 30, 12, 12, 7, Age.parse("10d"), List.of("audit")));
        assertThat(p.sources().get("cctv")).isEqualTo(new Policy(2, 24, 0, 0, 0, 0, Age.parse("30d"), List.of("audit")));
        assertThat(p.tags().get("month-end")).isEqualTo(new Policy(2, 24, 30, 12, 120, 7, Age.parse("10d"),
                List.of("audit")));
        assertThat(p.legalMinimums()).containsEntry("accounting", Age.parse("5y"));
        assertThat(r.keepsAll()).isFalse();
    }

    @Test
    @DisplayName("defaults: keep everything, repack at 50% unused, a grace period of one hour, deletions allowed")
    void defaults() {
        RkConfig.Retention r = parse("").retention();
        assertThat(r.keepsAll()).isTrue();
        assertThat(r.repackThreshold()).isEqualTo(50.0);
        assertThat(r.pruneGrace()).isEqualTo(Duration.ofHours(1));
        assertThat(r.appendOnly()).isFalse();
    }

    @Test
    @DisplayName("reports unknown sources, bad ages and bad percentages with the key")
    void errors() {
        assertThatThrownBy(() -> parse("retention: {sources: {db: {daily: 3}}}"))
                .hasMessage("restorekit.yml: retention.sources.db: unknown source 'db'; configured sources: accounting, cctv");
        assertThatThrownBy(() -> parse("retention: {legal-minimum: {accounting: 5 years}}"))
                .hasMessageContaining("retention.legal-minimum.accounting: expected an age such as 30d");
        assertThatThrownBy(() -> parse("retention: {keep-within: forever}"))
                .hasMessageContaining("retention.keep-within: expected an age");
        assertThatThrownBy(() -> parse("retention: {repack-threshold: 150%}"))
                .hasMessageContaining("retention.repack-threshold: expected a percentage");
        assertThatThrownBy(() -> parse("retention: {tags: {x: {hourly: -1}}}"))
                .hasMessageContaining("retention.tags.x.hourly");
        assertThatThrownBy(() -> parse("retention: {keep-forever: 1}"))
                .hasMessageContaining("retention.keep-forever: unknown key");
    }
}
