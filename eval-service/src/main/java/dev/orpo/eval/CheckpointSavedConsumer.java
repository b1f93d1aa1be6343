package dev.orpo.eval;

import dev.orpo.contracts.events.CheckpointSaved;
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
 * Consumes {@code checkpoint-saved}: reads and checks the event, then records it. The evaluation stage
 * is not wired in yet, so nothing is published for it. A malformed record (not JSON, bad run id, missing fields) goes
 * to the DLQ.
 */
@ApplicationScoped
public class CheckpointSavedConsumer {
    static final String CHANNEL = "checkpoint-saved";
    static final String STAGE = "evaluation";
    private static final Logger LOG = Logger.getLogger(CheckpointSavedConsumer.class);

    @Inject
    ConsumedRuns consumed;

    /** Owns the outgoing channels; the stage will publish through it. */
    @Inject
    EvalEvents events;

    @Incoming(CHANNEL)
    @Blocking
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
        LOG.infof("run %s: checkpoint step %d at %s; " + STAGE + " is not implemented yet",
                event.runId(), event.step(), event.checkpointUri());
        consumed.record(event.runId(), CHANNEL, event.eventId(), "accepted", STAGE + " not implemented yet");
    }
}
