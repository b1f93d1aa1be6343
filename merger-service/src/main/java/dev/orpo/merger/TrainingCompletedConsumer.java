package dev.orpo.merger;

import dev.orpo.contracts.events.TrainingCompleted;
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
 * Consumes {@code training-completed}: reads and checks the event, then records it. The merging stage
 * is not wired in yet, so nothing is published for it. A malformed record (not JSON, bad run id, missing fields) goes
 * to the DLQ.
 */
@ApplicationScoped
public class TrainingCompletedConsumer {
    static final String CHANNEL = "training-completed";
    static final String STAGE = "merging";
    private static final Logger LOG = Logger.getLogger(TrainingCompletedConsumer.class);

    @Inject
    ConsumedRuns consumed;

    /** Owns the outgoing channels; the stage will publish through it. */
    @Inject
    MergerEvents events;

    @Incoming(CHANNEL)
    @Blocking
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
        LOG.infof("run %s: training completed at step %d, adapter %s; " + STAGE + " is not implemented yet",
                event.runId(), event.finalStep(), event.adapterUri());
        consumed.record(event.runId(), CHANNEL, event.eventId(), "accepted", STAGE + " not implemented yet");
    }
}
