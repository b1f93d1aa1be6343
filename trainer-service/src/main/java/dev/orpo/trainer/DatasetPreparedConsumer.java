package dev.orpo.trainer;

import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.service.ConsumedRuns;
import dev.orpo.service.EventMessages;
import dev.orpo.service.MalformedEventException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Consumes {@code dataset-prepared} and hands the run to the {@link TrainingWorker}. The returned stage completes
 * when the run has finished (trained, cancelled, or failed with RunFailed), and only then is the record acknowledged
 * and its offset committed: a replica that dies mid-run leaves the record uncommitted, the next consumer gets it
 * again and resumes from the latest stored checkpoint. The connector hands over the next record only after this one
 * completes, so runs wait in order. A malformed record (not JSON, bad run id, missing fields) goes to the DLQ.
 */
@ApplicationScoped
public class DatasetPreparedConsumer {
    static final String CHANNEL = "dataset-prepared";
    private static final Logger LOG = Logger.getLogger(DatasetPreparedConsumer.class);

    @Inject
    ConsumedRuns consumed;

    @Inject
    TrainingWorker worker;

    @Incoming(CHANNEL)
    public CompletionStage<Void> onDatasetPrepared(ConsumerRecord<String, byte[]> record) {
        DatasetPrepared event;
        try {
            event = EventMessages.parse(record.value(), DatasetPrepared.class, record.topic());
            if (event.datasetUri() == null) {
                throw new MalformedEventException("DatasetPrepared for " + event.runId() + " has no dataset_uri");
            }
            if (event.request() == null) {
                throw new MalformedEventException("DatasetPrepared for " + event.runId() + " has no request");
            }
        } catch (MalformedEventException e) {
            return CompletableFuture.failedFuture(e);
        }
        LOG.infof("run %s: dataset %s prepared (%d train rows); queued for training", event.runId(),
                event.datasetUri(), event.trainRows());
        consumed.record(event.runId(), CHANNEL, event.eventId(), "queued", "waiting for the training worker");
        return worker.submit(event, CHANNEL);
    }
}
