package dev.orpo.trainer;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs a user cancelled, as heard on this replica's own consumer group (every replica hears every cancel). The
 * training loop polls {@link #isCancelled} before each update.
 */
@ApplicationScoped
public class CancelledRuns {
    /** Bounded: a cancel only matters while its run trains or waits here; old ones fall out. */
    static final int CAPACITY = 1000;

    private final Map<String, Boolean> cancelled = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > CAPACITY;
                }
            });

    public void cancel(String runId) {
        cancelled.put(runId, Boolean.TRUE);
    }

    public boolean isCancelled(String runId) {
        return cancelled.containsKey(runId);
    }
}
