package dev.orpo.dashboard;

import dev.orpo.contracts.events.PipelineEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The in-memory state of the dashboard: one {@link RunState} per run (newest {@value #CAPACITY} runs by first
 * event), and the live subscribers of each run. Counter {@code orpo.dashboard.events{topic, outcome}} with outcome
 * {@code applied} or {@code duplicate}; gauge {@code orpo.dashboard.runs}.
 */
@ApplicationScoped
public class RunViews {
    /** Plenty for a dashboard; the oldest run falls out when a new one arrives beyond this. */
    static final int CAPACITY = 500;

    @Inject
    MeterRegistry registry;

    private final Map<String, RunState> runs = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RunState> eldest) {
            return size() > CAPACITY;
        }
    };
    private final Map<String, List<MultiEmitter<? super RunEvent>>> followers = new HashMap<>();
    private long seq;

    @jakarta.annotation.PostConstruct
    void gauges() {
        registry.gauge("orpo.dashboard.runs", this, RunViews::size);
    }

    /**
     * Folds an event into its run and pushes it to the run's followers.
     *
     * @param at when it happened (its occurred_at, else the record timestamp)
     * @return the event as pushed, or empty when its id was already seen for that run
     */
    public Optional<RunEvent> apply(String topic, PipelineEvent event, Instant at) {
        RunEvent pushed;
        List<MultiEmitter<? super RunEvent>> to;
        synchronized (this) {
            RunState run = runs.computeIfAbsent(event.runId(), RunState::new);
            if (run.seen(event.eventId())) {
                count(topic, "duplicate");
                return Optional.empty();
            }
            pushed = new RunEvent(++seq, topic, event.getClass().getSimpleName(), event.runId(), at, event);
            run.apply(pushed);
            to = new ArrayList<>(followers.getOrDefault(event.runId(), List.of()));
        }
        count(topic, "applied");
        // outside the lock; follow() registers and replays under it, so each follower gets every event once, in order
        to.forEach(emitter -> emitter.emit(pushed));
        return Optional.of(pushed);
    }

    /** Every run, newest first. */
    public synchronized List<RunView.Summary> list() {
        return runs.values().stream().sorted(Comparator.comparing(RunState::firstEventAt).reversed())
                .map(RunState::summary).toList();
    }

    public synchronized Optional<RunView> view(String runId) {
        return Optional.ofNullable(runs.get(runId)).map(RunState::view);
    }

    /**
     * The run's events with a sequence number above {@code afterSeq}, then each new one as it arrives; never
     * completes. A run not seen yet can be followed too (its events start arriving later).
     */
    public Multi<RunEvent> follow(String runId, long afterSeq) {
        return Multi.createFrom().emitter(emitter -> {
            emitter.onTermination(() -> unfollow(runId, emitter));
            synchronized (this) {
                RunState run = runs.get(runId);
                if (run != null) {
                    run.after(afterSeq).forEach(emitter::emit);
                }
                if (!emitter.isCancelled()) {
                    followers.computeIfAbsent(runId, id -> new CopyOnWriteArrayList<>()).add(emitter);
                }
            }
        });
    }

    private synchronized void unfollow(String runId, MultiEmitter<? super RunEvent> emitter) {
        List<MultiEmitter<? super RunEvent>> list = followers.get(runId);
        if (list != null && list.remove(emitter) && list.isEmpty()) {
            followers.remove(runId);
        }
    }

    /** How many live subscribers follow {@code runId}. */
    synchronized int followers(String runId) {
        return followers.getOrDefault(runId, List.of()).size();
    }

    synchronized int size() {
        return runs.size();
    }

    private void count(String topic, String outcome) {
        registry.counter("orpo.dashboard.events", "topic", topic, "outcome", outcome).increment();
    }
}
