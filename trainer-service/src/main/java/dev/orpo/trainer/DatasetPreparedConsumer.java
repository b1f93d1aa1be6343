package dev.orpo.trainer;

import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.service.StageRunner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.concurrent.CompletionStage;

/**
 * Consumes {@code dataset-prepared} and hands the run to the {@link TrainingWorker}. The returned stage completes
 * when the run has ended (trained, cancelled, or failed with RunFailed), and only then is the record acknowledged and
 * its offset committed: a replica that dies mid-run, or stops for a shutdown, leaves the record uncommitted; the next
 * consumer gets it again and resumes from the latest stored checkpoint. The connector hands over the next record only
 * after this one completes, so runs wait in order. A malformed record (not JSON, bad run id, missing fields) goes to
 * the DLQ.
 */
@ApplicationScoped
public class DatasetPreparedConsumer {
    static final String CHANNEL = "dataset-prepared";

    @Inject
    StageRunner runner;

    @Inject
    TrainingWorker worker;

    @Incoming(CHANNEL)
    public CompletionStage<Void> onDatasetPrepared(ConsumerRecord<String, byte[]> record) {
        return runner.consume(record, DatasetPrepared.class, CHANNEL, event -> worker.submit(event, CHANNEL));
    }
}
