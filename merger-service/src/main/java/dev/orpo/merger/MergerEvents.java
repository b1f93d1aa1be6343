package dev.orpo.merger;

import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.service.EventPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/**
 * What merger-service publishes: {@code model-merged}, once per merge target (retried until the broker has it).
 * {@code run-failed} is published by the service-support stage runner.
 */
@ApplicationScoped
public class MergerEvents {
    @Inject
    EventPublisher publisher;

    @Inject
    @Channel("model-merged")
    Emitter<byte[]> modelMerged;

    /** Publishes unless {@code publishedMarker} says it was; then writes the marker. */
    public boolean publishOnce(ModelMerged event, String publishedMarker) {
        return publisher.stateOnce(modelMerged, event, publishedMarker);
    }
}
