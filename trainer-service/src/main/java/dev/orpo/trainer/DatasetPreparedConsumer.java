package dev.orpo.trainer;

import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.service.ConsumedRuns;
import dev.orpo.service.EventMessages;
import dev.orpo.service.MalformedEventException;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code dataset-prepared}: reads and checks the event, then records it. The training stage
 * is not wired in yet, so nothing is published for it. A malformed record (not JSON, bad run id, missing fields) goes
 * to the DLQ.
 */
@ApplicationScoped
public class DatasetPreparedConsumer {
    static final String CHANNEL = "dataset-prepared";
    static final String STAGE = "training";
    private static final Logger LOG = Logger.getLogger(DatasetPreparedConsumer.class);

    @Inject
    ConsumedRuns consumed;

    /** Owns the outgoing channels; the stage will publish through it. */
    @Inject
    TrainerEvents events;

    @Incoming(CHANNEL)
    @Blocking
    public void onDatasetPrepared(ConsumerRecord<String, byte[]> record) {
        DatasetPrepared event = EventMessages.parse(record.value(), DatasetPrepared.class, record.topic());
        if (event.datasetUri() == null) {
            throw new MalformedEventException(
                    "DatasetPrepared for " + event.runId() + " has no dataset_uri");
        }
        if (event.request() == null) {
            throw new MalformedEventException(
                    "DatasetPrepared for " + event.runId() + " has no request");
        }
        LOG.infof("run %s: dataset %s prepared (%d train rows); " + STAGE + " is not implemented yet",
                event.runId(), event.datasetUri(), event.trainRows());
        consumed.record(event.runId(), CHANNEL, event.eventId(), "accepted", STAGE + " not implemented yet");
    }
}
