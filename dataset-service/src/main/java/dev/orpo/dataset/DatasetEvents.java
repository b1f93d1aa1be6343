package dev.orpo.dataset;

import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.service.EventPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/**
 * What dataset-service publishes: {@code dataset-prepared}, once per run (retried until the broker has it).
 * {@code run-failed} is published by the service-support stage runner.
 */
@ApplicationScoped
public class DatasetEvents {
    @Inject
    EventPublisher publisher;

    @Inject
    @Channel("dataset-prepared")
    Emitter<byte[]> datasetPrepared;

    /** Publishes unless {@code publishedMarker} says it was; then writes the marker. */
    public boolean publishOnce(DatasetPrepared event, String publishedMarker) {
        return publisher.stateOnce(datasetPrepared, event, publishedMarker);
    }
}
