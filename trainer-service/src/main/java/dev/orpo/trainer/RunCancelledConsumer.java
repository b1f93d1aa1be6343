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
 * Consumes {@code run-cancelled} on a consumer group of its own per replica (every replica hears every cancel) and
 * flags the run in {@link CancelledRuns}; the training loop stops at the next step boundary with a final checkpoint
 * and TrainingCompleted(cancelled=true). A malformed record goes to the DLQ.
 */
@ApplicationScoped
public class RunCancelledConsumer {
    static final String CHANNEL = "run-cancelled";
    private static final Logger LOG = Logger.getLogger(RunCancelledConsumer.class);

    @Inject
    ConsumedRuns consumed;

    @Inject
    CancelledRuns cancels;

    @Incoming(CHANNEL)
    @Blocking
    public void onRunCancelled(ConsumerRecord<String, byte[]> record) {
        RunCancelled event = EventMessages.parse(record.value(), RunCancelled.class, record.topic());
        cancels.cancel(event.runId());
        LOG.infof("run %s: cancellation received (%s); training stops at the next step", event.runId(),
                event.reason());
        consumed.record(event.runId(), CHANNEL, event.eventId(), "accepted", "cancel flagged");
    }
}
