package dev.orpo.trainer;

import dev.orpo.contracts.events.RunCancelled;
import dev.orpo.service.ConsumedRuns;
import dev.orpo.service.EventMessages;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code run-cancelled}: reads and checks the event, then records it. The training stage
 * is not wired in yet, so nothing is published for it. A malformed record (not JSON, bad run id, missing fields) goes
 * to the DLQ.
 */
@ApplicationScoped
public class RunCancelledConsumer {
    static final String CHANNEL = "run-cancelled";
    static final String STAGE = "training";
    private static final Logger LOG = Logger.getLogger(RunCancelledConsumer.class);

    @Inject
    ConsumedRuns consumed;

    /** Owns the outgoing channels; the stage will publish through it. */
    @Inject
    TrainerEvents events;

    @Incoming(CHANNEL)
    @Blocking
    public void onRunCancelled(ConsumerRecord<String, byte[]> record) {
        RunCancelled event = EventMessages.parse(record.value(), RunCancelled.class, record.topic());
        LOG.infof("run %s: cancellation received (%s); no training runs in this service yet, nothing to stop",
                event.runId(), event.reason());
        consumed.record(event.runId(), CHANNEL, event.eventId(), "accepted", "no training in progress");
    }
}
