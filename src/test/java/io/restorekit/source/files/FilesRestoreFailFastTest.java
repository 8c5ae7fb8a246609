package io.restorekit.source.files;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilesRestoreFailFastTest {
    @Test
    @DisplayName("a file whose writing fails while the restore checks its jobs is kept: the restore fails with it, not without the file")
    void failureEndingDuringTheCheckIsKept() throws IOException {
        IOException damaged = new IOException("chunk damaged");
        Future<?> ok = CompletableFuture.completedFuture(null);
        Future<?> endsMeanwhile = new CompletableFuture<Void>() {
            private int looks;

            @Override
            public boolean isDone() {
                return looks++ > 0;  // running at the first look, ended from the second on
            }

            @Override
            public Void get() throws ExecutionException {
                throw new ExecutionException(damaged);
            }
        };
        List<Future<?>> jobs = new ArrayList<>(List.of(ok, endsMeanwhile));

        FilesRestore.failFast(jobs);

        assertThat(jobs).containsExactly(endsMeanwhile);
        assertThatThrownBy(() -> FilesRestore.failFast(jobs)).isSameAs(damaged);
    }
}
