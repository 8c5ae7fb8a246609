package io.restorekit.shell;

import io.restorekit.catalog.InMemoryCatalog;
import io.restorekit.runbook.GitRunbookStore;
import io.restorekit.runbook.RunbookService;
import io.restorekit.runbook.RunbookStoreSettings;
import io.restorekit.runbook.StepExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.shell.CompletionContext;
import org.springframework.shell.CompletionProposal;
import org.springframework.shell.completion.CompletionProvider;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** TAB completion of runbook names, and of the parameters of the runbook named on the line. */
class RunbookCompletionTest {
    @TempDir
    Path dir;

    @Test
    void completesNamesAndParameters() {
        try (GitRunbookStore store = GitRunbookStore.open(new RunbookStoreSettings(dir.resolve("runbooks").toString(),
                dir, Path.of("runbooks"), null, null, null, null))) {
            RunbookService service = new RunbookService(() -> store, new InMemoryCatalog(),
                    words -> new StepExecutor.Outcome(0, "", null), Clock.systemUTC(), null);
            StaticListableBeanFactory beans = new StaticListableBeanFactory();
            beans.addBean("runbookService", service);
            Completion completion = new Completion();

            CompletionProvider names = completion.runbookNames(beans.getBeanProvider(RunbookService.class));
            assertThat(texts(names.apply(context(List.of("runbook", "run", "rest"), 2))))
                    .containsExactly("restore-module", "restore-tenant");

            CompletionProvider params = completion.runbookParams(beans.getBeanProvider(RunbookService.class));
            assertThat(texts(params.apply(context(List.of("runbook", "run", "restore-tenant", "--param", ""), 4))))
                    .containsExactly("tenant=", "at=yesterday", "db-source=db", "files-source=uploads");
            assertThat(texts(params.apply(context(List.of("runbook", "run", "--name", "recover-file", "--param", "f"), 5))))
                    .containsExactly("file=");
            assertThat(texts(params.apply(context(List.of("runbook", "run", "no-such", "--param", ""), 4)))).isEmpty();
        }
    }

    private static CompletionContext context(List<String> words, int index) {
        return new CompletionContext(words, index, words.get(index).length(), null, null);
    }

    private static List<String> texts(List<CompletionProposal> proposals) {
        return proposals.stream().map(CompletionProposal::value).toList();
    }
}
