package dev.orpo.trainer;

import dev.orpo.contracts.events.RunCancelled;
import dev.orpo.service.StageRunner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletionStage;

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
    StageRunner runner;

    @Inject
    CancelledRuns cancels;

    @Incoming(CHANNEL)
    public CompletionStage<Void> onRunCancelled(ConsumerRecord<String, byte[]> record) {
        return runner.consume(record, RunCancelled.class, CHANNEL, event -> {
            cancels.cancel(event.runId());
            LOG.infof("run %s: cancellation received (%s); training stops at the next step", event.runId(),
                    event.reason());
            return runner.handled(event, CHANNEL, "accepted", "cancel flagged");
        });
    }
}
