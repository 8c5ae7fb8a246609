package io.restorekit.shell;

import io.restorekit.config.RkConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which role a command line needs (README "Roles"), and how command lines are written to the audit
 * trail with their secrets redacted.
 */
final class CommandPolicy {
    /** In order of power. */
    enum Role { NONE, OPERATOR, MASTER }

    private static final Set<String> ANYONE = Set.of("help", "version", "warm-up", "exit", "quit", "clear", "stacktrace");
    private static final Set<String> MASTER_COMMANDS = Set.of("init", "export", "unlock", "import");
    private static final Set<String> MASTER_UNLESS_DRY_RUN = Set.of("forget", "prune");
    private static final Pattern SECRET_OPTION = Pattern.compile("--[a-z-]*(password|secret|token|passphrase)[a-z-]*");
    private static final Pattern SECRET_PARAM = Pattern.compile("(?i)((?:password|passwd|pwd|secret|token|key)[^=\\s&;]*=)[^&;\\s]*");
    private static final Pattern URL_CREDENTIALS = Pattern.compile("(//[^/:@\\s]+:)[^@/\\s]+@");

    private CommandPolicy() {
    }

    /** The role {@code words} (a command line split into words) needs. */
    static Role required(List<String> words) {
        if (words.isEmpty() || ANYONE.contains(words.get(0))) {
            return Role.NONE;
        }
        String command = words.get(0);
        String sub = words.size() > 1 ? words.get(1) : "";
        boolean dryRun = words.contains("--dry-run");
        if (words.contains("--yes") || words.contains("--in-place") || MASTER_COMMANDS.contains(command)
                || (MASTER_UNLESS_DRY_RUN.contains(command) && !dryRun)
                || (command.equals("key") && !sub.equals("list"))
                || (command.equals("index") && sub.equals("rebuild"))
                || (command.equals("catalog") && sub.equals("rebuild"))
                || (command.equals("runbook") && (sub.equals("save") || sub.equals("sync")))) {
            return Role.MASTER;
        }
        return Role.OPERATOR;
    }

    /** The role {@code user} (member of {@code groups}) has under {@code roles}. */
    static Role roleOf(RkConfig.Roles roles, String user, Set<String> groups) {
        if (matches(roles.master(), user, groups)) {
            return Role.MASTER;
        }
        return matches(roles.operator(), user, groups) ? Role.OPERATOR : Role.NONE;
    }

    private static boolean matches(List<String> entries, String user, Set<String> groups) {
        for (String e : entries) {
            if (e.startsWith("group:") ? groups.contains(e.substring("group:".length())) : e.equals(user)) {
                return true;
            }
        }
        return false;
    }

    /** The groups {@code user} belongs to, from {@code /etc/group} (by membership or as primary group). */
    static Set<String> groupsOf(String user, Path groupFile, Path passwdFile) {
        Set<String> groups = new HashSet<>();
        String primaryGid = null;
        try {
            for (String line : Files.readAllLines(passwdFile)) {
                String[] f = line.split(":", -1);
                if (f.length > 3 && f[0].equals(user)) {
                    primaryGid = f[3];
                }
            }
            for (String line : Files.readAllLines(groupFile)) {
                String[] f = line.split(":", -1);
                if (f.length < 4) {
                    continue;
                }
                if (f[2].equals(primaryGid) || List.of(f[3].split(",")).contains(user)) {
                    groups.add(f[0]);
                }
            }
        } catch (IOException e) {
            // No group database readable: roles then match by user name only.
        }
        return groups;
    }

    /** The command line for the audit trail: words joined, secrets replaced by {@code ***}. */
    static String redact(List<String> words) {
        StringBuilder out = new StringBuilder();
        boolean hideNext = false;
        for (String word : words) {
            String shown;
            if (hideNext) {
                shown = "***";
                hideNext = false;
            } else if (SECRET_OPTION.matcher(word).matches()) {
                shown = word;
                hideNext = true;
            } else if (word.startsWith("--") && word.contains("=")
                    && SECRET_OPTION.matcher(word.substring(0, word.indexOf('='))).matches()) {
                shown = word.substring(0, word.indexOf('=') + 1) + "***";
            } else {
                shown = URL_CREDENTIALS.matcher(SECRET_PARAM.matcher(word).replaceAll("$1***")).replaceAll("$1***@");
            }
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(shown.isEmpty() || shown.contains(" ") ? "'" + shown + "'" : shown);
        }
        return out.toString();
    }
}
