package dev.orpo.service;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The last events this service consumed, per run (kept in memory, newest {@value #CAPACITY} runs), and the counter
 * {@code orpo.events.consumed{channel, outcome}}. Served at {@code /consumed} for people and tests.
 */
@ApplicationScoped
public class ConsumedRuns {
    /** Enough to see what a service has been doing lately; old runs fall out. */
    static final int CAPACITY = 200;

    /**
     * @param outcome {@code queued}, {@code accepted} (the stage did its work), {@code skipped} / {@code already-...}
     *                (nothing to do), {@code retrying}, {@code failed} (RunFailed published), {@code dead-lettered},
     *                {@code suspended} (left for redelivery by a shutdown)
     */
    public record Entry(String runId, String channel, String eventId, String outcome, String detail,
                        Instant consumedAt) {
    }

    @Inject
    MeterRegistry registry;

    private final Map<String, Entry> byRun = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > CAPACITY;
        }
    };

    public void record(String runId, String channel, String eventId, String outcome, String detail) {
        count(channel, outcome);
        synchronized (byRun) {
            byRun.put(runId, new Entry(runId, channel, eventId, outcome, detail, Instant.now()));
        }
    }

    /** Counts a consumed record that belongs to no run (e.g. one that is not an event at all). */
    public void count(String channel, String outcome) {
        registry.counter("orpo.events.consumed", "channel", channel, "outcome", outcome).increment();
    }

    public Optional<Entry> find(String runId) {
        synchronized (byRun) {
            return Optional.ofNullable(byRun.get(runId));
        }
    }

    public List<Entry> all() {
        synchronized (byRun) {
            return new ArrayList<>(byRun.values());
        }
    }
}
