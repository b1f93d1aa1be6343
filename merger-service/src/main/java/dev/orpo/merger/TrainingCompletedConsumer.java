package dev.orpo.merger;

import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.service.ConsumedRuns;
import dev.orpo.service.EventMessages;
import dev.orpo.service.MalformedEventException;
import dev.orpo.stages.merge.MergeStage;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code training-completed}: merges the final adapter ({@code adapter_uri}) into {@code runs/<id>/merged/}
 * when {@code merge.enabled} ({@link MergeWorker}; if the final CheckpointSaved already did, nothing happens). A
 * malformed record (not JSON, bad run id, missing fields) goes to the DLQ.
 */
@ApplicationScoped
public class TrainingCompletedConsumer {
    static final String CHANNEL = "training-completed";
    private static final Logger LOG = Logger.getLogger(TrainingCompletedConsumer.class);

    @Inject
    ConsumedRuns consumed;

    @Inject
    MergeWorker worker;

    @Incoming(CHANNEL)
    @Blocking(ordered = true)
    public void onTrainingCompleted(ConsumerRecord<String, byte[]> record) {
        TrainingCompleted event = EventMessages.parse(record.value(), TrainingCompleted.class, record.topic());
        if (event.adapterUri() == null) {
            throw new MalformedEventException(
                    "TrainingCompleted for " + event.runId() + " has no adapter_uri");
        }
        if (event.request() == null) {
            throw new MalformedEventException(
                    "TrainingCompleted for " + event.runId() + " has no request");
        }
        if (!event.request().merge().enabled()) {
            consumed.record(event.runId(), CHANNEL, event.eventId(), "skipped", "merge.enabled is false");
            return;
        }
        LOG.infof("run %s: training completed at step %d, merging adapter %s", event.runId(), event.finalStep(),
                event.adapterUri());
        worker.merge(new MergeStage.Target(event.runId(), event.finalStep(), true, event.adapterUri(),
                event.metrics(), event.request()), CHANNEL, event.eventId());
    }
}
