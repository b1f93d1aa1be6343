package dev.orpo.trainer;

import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.events.TrainingProgressed;
import dev.orpo.contracts.events.TrainingStarted;
import dev.orpo.service.EventPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/**
 * What trainer-service publishes: progress best effort ({@code training-started}, {@code training-progressed}: a lost
 * one never fails a run), state retried until the broker has it ({@code checkpoint-saved} once per step and
 * finality, {@code training-completed}). {@code run-failed} is published by the service-support stage runner.
 */
@ApplicationScoped
public class TrainerEvents {
    @Inject
    EventPublisher publisher;

    @Inject
    @Channel("training-started")
    Emitter<byte[]> trainingStarted;

    @Inject
    @Channel("training-progressed")
    Emitter<byte[]> trainingProgressed;

    @Inject
    @Channel("checkpoint-saved")
    Emitter<byte[]> checkpointSaved;

    @Inject
    @Channel("training-completed")
    Emitter<byte[]> trainingCompleted;

    public void publish(TrainingStarted event) {
        publisher.bestEffort(trainingStarted, event);
    }

    public void publish(TrainingProgressed event) {
        publisher.bestEffort(trainingProgressed, event);
    }

    /** Publishes unless {@code publishedMarker} says it was; then writes the marker. */
    public boolean publishOnce(CheckpointSaved event, String publishedMarker) {
        return publisher.stateOnce(checkpointSaved, event, publishedMarker);
    }

    public void publish(TrainingCompleted event) {
        publisher.state(trainingCompleted, event);
    }
}
