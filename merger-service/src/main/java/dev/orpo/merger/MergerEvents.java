package dev.orpo.merger;

import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunFailed;
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
 * What merger-service publishes, each call waiting for the broker: {@code model-merged},
 * {@code run-failed}.
 */
@ApplicationScoped
public class MergerEvents {
    static final URI SOURCE = URI.create("/orpo/merger-service");

    /** How long to wait for the broker's acknowledgement before failing the incoming record (then retried/DLQ). */
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    @Inject
    @Channel("model-merged")
    Emitter<byte[]> modelMerged;

    @Inject
    @Channel("run-failed")
    Emitter<byte[]> runFailed;

    public void publish(ModelMerged event) {
        send(modelMerged, event);
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
