package dev.orpo.trainer;

import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.events.TrainingProgressed;
import dev.orpo.contracts.events.TrainingStarted;
import dev.orpo.service.EventMessages;
import dev.orpo.service.PublishedEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.net.URI;

/**
 * What trainer-service publishes, each call waiting for the broker: {@code training-started},
 * {@code training-progressed},
 * {@code checkpoint-saved},
 * {@code training-completed},
 * {@code run-failed}.
 */
@ApplicationScoped
public class TrainerEvents {
    static final URI SOURCE = URI.create("/orpo/trainer-service");

    @Inject
    PublishedEvents published;

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

    @Inject
    @Channel("run-failed")
    Emitter<byte[]> runFailed;

    public void publish(TrainingStarted event) {
        send(trainingStarted, event);
    }

    public void publish(TrainingProgressed event) {
        send(trainingProgressed, event);
    }

    public void publish(CheckpointSaved event) {
        send(checkpointSaved, event);
    }

    public void publish(TrainingCompleted event) {
        send(trainingCompleted, event);
    }

    public void publish(RunFailed event) {
        send(runFailed, event);
    }

    private void send(Emitter<byte[]> emitter, PipelineEvent event) {
        EventMessages.sendAndWait(emitter, event, SOURCE);
        published.published(event);
    }
}
