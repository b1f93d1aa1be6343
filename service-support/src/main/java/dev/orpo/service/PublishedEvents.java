package dev.orpo.service;

import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.events.TrainingProgressed;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Prometheus view of what a service published: counter {@code orpo.events.produced{type}}; from training progress the
 * gauges {@code orpo.training.step} and {@code orpo.training.tokens.per.second} (latest train log step); from
 * completions the timer {@code orpo.stage.duration{stage=training}}; other stages report theirs with
 * {@link #stageTook}.
 */
@ApplicationScoped
public class PublishedEvents {
    @Inject
    MeterRegistry registry;

    private final AtomicLong step = new AtomicLong();
    private final DoubleAdder tokensPerSecond = new DoubleAdder();

    @PostConstruct
    void gauges() {
        registry.gauge("orpo.training.step", step);
        registry.gauge("orpo.training.tokens.per.second", tokensPerSecond, DoubleAdder::sum);
    }

    /** Records a stage's duration ({@code orpo.stage.duration{stage}}) from a {@link System#nanoTime()} start. */
    public void stageTook(String stage, long startNanos) {
        Timer.builder("orpo.stage.duration").tag("stage", stage).register(registry)
                .record(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    /** Call once the broker has {@code event}. */
    public void published(PipelineEvent event) {
        registry.counter("orpo.events.produced", "type", event.getClass().getSimpleName()).increment();
        if (event instanceof TrainingProgressed p && TrainingProgressed.TRAIN.equals(p.phase())) {
            step.set(p.step());
            tokensPerSecond.reset();
            tokensPerSecond.add(p.tokensPerSecond());
        } else if (event instanceof TrainingCompleted c) {
            Timer.builder("orpo.stage.duration").tag("stage", "training").register(registry)
                    .record(Duration.ofMillis(Math.round(c.durationSeconds() * 1000)));
        }
    }
}
