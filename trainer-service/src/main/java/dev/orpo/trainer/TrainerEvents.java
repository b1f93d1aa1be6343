package dev.orpo.trainer;

import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.events.TrainingProgressed;
import dev.orpo.contracts.events.TrainingStarted;
import dev.orpo.service.EventMessages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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

    /** How long to wait for the broker's acknowledgement before failing the incoming record (then retried/DLQ). */
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

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

    private static void send(Emitter<byte[]> emitter, PipelineEvent event) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        emitter.send(EventMessages.toMessage(event, SOURCE, written));
        try {
            written.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted publishing " + event.getClass().getSimpleName(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot publish " + event.getClass().getSimpleName() + " for run "
                    + event.runId() + ": " + e, e);
        }
    }
}
