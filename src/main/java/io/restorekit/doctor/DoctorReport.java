package io.restorekit.doctor;

import java.util.List;

/** Every finding of one {@code doctor} run, in the order checked. */
public record DoctorReport(List<Finding> findings) {
    public DoctorReport {
        findings = List.copyOf(findings);
    }

    public enum Severity { OK, WARNING, ERROR }

    /**
     * @param area    config, credentials, repository, copy, source, tools, drill, leftovers, roles
     * @param subject what was checked (a file, a source, a copy, a tool)
     * @param fixed   what {@code --fix} did about it, or null
     */
    public record Finding(String area, String subject, Severity severity, String message, String fixed) {
    }

    public long errors() {
        return findings.stream().filter(f -> f.severity() == Severity.ERROR).count();
    }

    public long warnings() {
        return findings.stream().filter(f -> f.severity() == Severity.WARNING).count();
    }
}
