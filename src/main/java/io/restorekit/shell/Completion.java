package io.restorekit.shell;

import io.restorekit.config.RepositorySession;
import io.restorekit.repository.Snapshot;
import io.restorekit.runbook.RunbookService;
import io.restorekit.source.SourceSpec;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.shell.CompletionProposal;
import org.springframework.shell.completion.CompletionProvider;

import java.util.List;
import java.util.function.Supplier;

/**
 * TAB completion of option values: {@code sourceNames} and {@code moduleNames} from the configuration, {@code snapshotIds}
 * from the repository (only once it is open in this session or a password is in the environment,
 * so that completing never stops to ask for a password), {@code runbookNames} and {@code runbookParams}
 * from the runbook store. Completion never fails: problems yield no proposals.
 */
@Configuration(proxyBeanMethods = false)
public class Completion {

    @Bean
    CompletionProvider sourceNames(RepositorySession session) {
        return context -> proposals(context.currentWordUpToCursor(),
                () -> session.config().sources().stream().map(SourceSpec::name).toList());
    }

    @Bean
    CompletionProvider moduleNames(RepositorySession session) {
        return context -> proposals(context.currentWordUpToCursor(),
                () -> session.config().modules().keySet().stream().sorted().toList());
    }

    @Bean
    CompletionProvider snapshotIds(RepositorySession session) {
        return context -> proposals(context.currentWordUpToCursor(), () -> {
            if (!session.isOpen() && System.getenv("RK_PASSWORD") == null && System.getenv("RK_PASSWORD_FILE") == null) {
                return List.of();
            }
            try {
                return session.repository().snapshots().stream().map(Snapshot::shortId).toList();
            } catch (java.io.IOException e) {
                return List.of();
            }
        });
    }

    /** Runbook names from the runbook store. */
    @Bean
    CompletionProvider runbookNames(org.springframework.beans.factory.ObjectProvider<RunbookService> runbooks) {
        return context -> proposals(context.currentWordUpToCursor(), () -> runbooks.getObject().names());
    }

    /** {@code NAME=} for each parameter of the runbook named on the line, its default after the {@code =}. */
    @Bean
    CompletionProvider runbookParams(org.springframework.beans.factory.ObjectProvider<RunbookService> runbooks) {
        return context -> proposals(context.currentWordUpToCursor(), () -> {
            List<String> words = context.getWords();
            int run = words.indexOf("run");
            String name = null;
            for (int i = run + 1; run >= 0 && i < words.size(); i++) {
                String w = words.get(i);
                if (w.equals("--name") && i + 1 < words.size()) {
                    name = words.get(i + 1);
                    break;
                }
                if (!w.startsWith("-") && (i == run + 1)) {
                    name = w;
                    break;
                }
            }
            if (name == null) {
                return List.of();
            }
            return runbooks.getObject().show(name, null).runbook().params().stream()
                    .map(p -> p.name() + "=" + (p.required() ? "" : p.defaultValue())).toList();
        });
    }

    static List<CompletionProposal> proposals(String prefix, Supplier<List<String>> values) {
        String p = prefix == null ? "" : prefix;
        try {
            return values.get().stream().filter(v -> v != null && v.startsWith(p)).map(CompletionProposal::new).toList();
        } catch (RuntimeException e) {
            return List.of();
        }
    }
}
