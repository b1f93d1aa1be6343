package dev.orpo.merger;

import dev.orpo.contracts.events.CheckpointSaved;
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
 * Consumes {@code checkpoint-saved}: the final checkpoint, or a step listed in {@code merge.steps}, is merged
 * ({@link MergeWorker}) when {@code merge.enabled}; other checkpoints are recorded as skipped. A malformed record
 * (not JSON, bad run id, missing fields) goes to the DLQ.
 */
@ApplicationScoped
public class CheckpointSavedConsumer {
    static final String CHANNEL = "checkpoint-saved";
    private static final Logger LOG = Logger.getLogger(CheckpointSavedConsumer.class);

    @Inject
    ConsumedRuns consumed;

    @Inject
    MergeWorker worker;

    @Incoming(CHANNEL)
    @Blocking(ordered = true)
    public void onCheckpointSaved(ConsumerRecord<String, byte[]> record) {
        CheckpointSaved event = EventMessages.parse(record.value(), CheckpointSaved.class, record.topic());
        if (event.checkpointUri() == null) {
            throw new MalformedEventException(
                    "CheckpointSaved for " + event.runId() + " has no checkpoint_uri");
        }
        if (event.request() == null) {
            throw new MalformedEventException(
                    "CheckpointSaved for " + event.runId() + " has no request");
        }
        boolean listed = event.request().merge().steps().contains(event.step());
        if (!event.request().merge().enabled() || !(event.finalCheckpoint() || listed)) {
            LOG.debugf("run %s: checkpoint step %d is not merged (merge.enabled %s, merge.steps %s)", event.runId(),
                    event.step(), event.request().merge().enabled(), event.request().merge().steps());
            consumed.record(event.runId(), CHANNEL, event.eventId(), "skipped", "step " + event.step()
                    + " not merged");
            return;
        }
        LOG.infof("run %s: merging checkpoint step %d (%s) from %s", event.runId(), event.step(),
                event.finalCheckpoint() ? "final" : "merge.steps", event.checkpointUri());
        worker.merge(new MergeStage.Target(event.runId(), event.step(), event.finalCheckpoint(),
                event.checkpointUri(), event.metrics(), event.request()), CHANNEL, event.eventId());
    }
}
