package dev.orpo.dataset;

import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.service.EventMessages;
import dev.orpo.service.PublishedEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.net.URI;

/** What dataset-service publishes: {@code dataset-prepared} and {@code run-failed}; each call waits for the broker. */
@ApplicationScoped
public class DatasetEvents {
    static final URI SOURCE = URI.create("/orpo/dataset-service");

    @Inject
    PublishedEvents published;

    @Inject
    @Channel("dataset-prepared")
    Emitter<byte[]> datasetPrepared;

    @Inject
    @Channel("run-failed")
    Emitter<byte[]> runFailed;

    public void publish(DatasetPrepared event) {
        send(datasetPrepared, event);
    }

    public void publish(RunFailed event) {
        send(runFailed, event);
    }

    private void send(Emitter<byte[]> emitter, PipelineEvent event) {
        EventMessages.sendAndWait(emitter, event, SOURCE);
        published.published(event);
    }
}
