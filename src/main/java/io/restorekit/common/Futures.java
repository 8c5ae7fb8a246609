package io.restorekit.common;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/** Waiting for work done on other threads, with its failure rethrown as the caller's own. */
public final class Futures {
    private Futures() {
    }

    /**
     * The result of {@code f}. A runtime exception or an {@link IOException} of the task is
     * rethrown as it is, anything else wrapped in an {@link IOException}; an interrupt ends the
     * wait with an {@link IOException} and keeps the thread's interrupt flag.
     */
    public static <T> T await(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Runs {@code task} on a new daemon thread called {@code name}; the future completes with its result. */
    public static <T> CompletableFuture<T> onOwnThread(String name, Supplier<T> task) {
        return CompletableFuture.supplyAsync(task, runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            t.start();
        });
    }
}
