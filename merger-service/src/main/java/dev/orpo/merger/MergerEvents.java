package dev.orpo.merger;

import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.service.EventMessages;
import dev.orpo.service.PublishedEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.net.URI;

/**
 * What merger-service publishes, each call waiting for the broker: {@code model-merged},
 * {@code run-failed}.
 */
@ApplicationScoped
public class MergerEvents {
    static final URI SOURCE = URI.create("/orpo/merger-service");

    @Inject
    PublishedEvents published;

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

    private void send(Emitter<byte[]> emitter, PipelineEvent event) {
        EventMessages.sendAndWait(emitter, event, SOURCE);
        published.published(event);
    }
}
