package dev.orpo.merger;

import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.service.StageRunner;
import dev.orpo.stages.merge.MergeStage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.concurrent.CompletionStage;

/**
 * Consumes {@code checkpoint-saved}: the final checkpoint, or a step listed in {@code merge.steps}, is merged
 * ({@link MergeWorker}) when {@code merge.enabled}; other checkpoints are recorded as skipped. The record is
 * acknowledged once its merge is done. A malformed record (not JSON, bad run id, missing fields) goes to the DLQ.
 */
@ApplicationScoped
public class CheckpointSavedConsumer {
    static final String CHANNEL = "checkpoint-saved";

    @Inject
    StageRunner runner;

    @Inject
    MergeWorker worker;

    @Incoming(CHANNEL)
    public CompletionStage<Void> onCheckpointSaved(ConsumerRecord<String, byte[]> record) {
        return runner.consume(record, CheckpointSaved.class, CHANNEL, event -> {
            boolean listed = event.request().merge().steps().contains(event.step());
            if (!event.request().merge().enabled() || !(event.finalCheckpoint() || listed)) {
                return runner.handled(event, CHANNEL, "skipped", "step " + event.step() + " not merged (merge.enabled "
                        + event.request().merge().enabled() + ", merge.steps " + event.request().merge().steps() + ")");
            }
            return worker.submit(new MergeStage.Target(event.runId(), event.step(), event.finalCheckpoint(),
                    event.checkpointUri(), event.metrics(), event.request()), event, CHANNEL);
        });
    }
}
