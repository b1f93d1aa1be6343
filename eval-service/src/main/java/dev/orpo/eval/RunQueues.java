package dev.orpo.eval;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One queue per run on a fixed pool of threads: a run's tasks run one after another in submission order, different
 * runs in parallel up to the pool's size. A run's queue is dropped as soon as it is empty, so neither threads nor
 * queues grow with the number of runs a service has seen.
 */
final class RunQueues implements AutoCloseable {
    private final ExecutorService pool;
    private final Map<String, CompletableFuture<Void>> tails = new HashMap<>();

    RunQueues(int threads, String name) {
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** An executor that runs its tasks after every task queued for {@code runId} before it. */
    Executor forRun(String runId) {
        return task -> {
            synchronized (tails) {
                CompletableFuture<Void> next = tails.getOrDefault(runId, CompletableFuture.completedFuture(null))
                        .handleAsync((ignored, failure) -> {
                            task.run();
                            return null;
                        }, pool);
                tails.put(runId, next);
                next.whenComplete((ignored, failure) -> {
                    synchronized (tails) {
                        tails.remove(runId, next);
                    }
                });
            }
        };
    }

    /** Runs with a task queued or running. */
    int activeRuns() {
        synchronized (tails) {
            return tails.size();
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
