package dev.orpo.eval;

import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.EvaluationCompleted;
import dev.orpo.service.StageRunner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.concurrent.CompletionStage;

/**
 * Consumes {@code checkpoint-saved}: when the run asks for checkpoint evaluation ({@code eval.enabled} and
 * {@code eval.checkpoints}) the checkpoint is queued on the run's queue ({@link EvalRuns}); the record is
 * acknowledged once it is evaluated. A malformed record (not JSON, bad run id, missing fields) goes to the DLQ.
 */
@ApplicationScoped
public class CheckpointSavedConsumer {
    static final String CHANNEL = "checkpoint-saved";

    @Inject
    StageRunner runner;

    @Inject
    EvalRuns runs;

    @Incoming(CHANNEL)
    public CompletionStage<Void> onCheckpointSaved(ConsumerRecord<String, byte[]> record) {
        return runner.consume(record, CheckpointSaved.class, CHANNEL, event -> {
            if (!event.request().eval().enabled() || !event.request().eval().checkpoints()) {
                return runner.handled(event, CHANNEL, "skipped",
                        "checkpoint evaluation not requested (eval.enabled / eval.checkpoints)");
            }
            return runs.submit(event, CHANNEL, EvaluationCompleted.CHECKPOINT, event.step(), event.request(),
                    event.checkpointUri());
        });
    }
}
