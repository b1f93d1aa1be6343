package dev.orpo.eval;

import dev.orpo.contracts.events.CheckpointSaved;
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
 * Consumes {@code checkpoint-saved}: when the run asks for checkpoint evaluation ({@code eval.enabled} and
 * {@code eval.checkpoints}) the checkpoint is queued on the run's worker ({@link EvalRuns}); the record is
 * acknowledged once it is evaluated. A malformed record (not JSON, bad run id, missing fields) goes to the DLQ.
 */
@ApplicationScoped
public class CheckpointSavedConsumer {
    static final String CHANNEL = "checkpoint-saved";
    private static final Logger LOG = Logger.getLogger(CheckpointSavedConsumer.class);

    @Inject
    ConsumedRuns consumed;

    @Inject
    EvalRuns runs;

    @Incoming(CHANNEL)
    public CompletionStage<Void> onCheckpointSaved(ConsumerRecord<String, byte[]> record) {
        CheckpointSaved event;
        try {
            event = EventMessages.parse(record.value(), CheckpointSaved.class, record.topic());
            if (event.checkpointUri() == null) {
                throw new MalformedEventException("CheckpointSaved for " + event.runId() + " has no checkpoint_uri");
            }
            if (event.request() == null) {
                throw new MalformedEventException("CheckpointSaved for " + event.runId() + " has no request");
            }
        } catch (MalformedEventException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (!event.request().eval().enabled() || !event.request().eval().checkpoints()) {
            consumed.record(event.runId(), CHANNEL, event.eventId(), "accepted",
                    "checkpoint evaluation not requested (eval.enabled / eval.checkpoints)");
            return CompletableFuture.completedFuture(null);
        }
        LOG.infof("run %s: checkpoint step %d at %s queued for evaluation", event.runId(), event.step(),
                event.checkpointUri());
        consumed.record(event.runId(), CHANNEL, event.eventId(), "queued", "waiting for the run's eval worker");
        return runs.submit(event.runId(), event.eventId(), CHANNEL, "checkpoint", event.step(), event.request(),
                dir -> runs.download(event.checkpointUri(), dir));
    }
}
