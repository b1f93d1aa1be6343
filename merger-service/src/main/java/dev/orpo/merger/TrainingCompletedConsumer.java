package dev.orpo.merger;

import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.service.StageRunner;
import dev.orpo.stages.merge.MergeStage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.concurrent.CompletionStage;

/**
 * Consumes {@code training-completed}: merges the final adapter ({@code adapter_uri}) into {@code runs/<id>/merged/}
 * when {@code merge.enabled} ({@link MergeWorker}; if the final CheckpointSaved already did, nothing happens). A
 * malformed record (not JSON, bad run id, missing fields) goes to the DLQ.
 */
@ApplicationScoped
public class TrainingCompletedConsumer {
    static final String CHANNEL = "training-completed";

    @Inject
    StageRunner runner;

    @Inject
    MergeWorker worker;

    @Incoming(CHANNEL)
    public CompletionStage<Void> onTrainingCompleted(ConsumerRecord<String, byte[]> record) {
        return runner.consume(record, TrainingCompleted.class, CHANNEL, event -> {
            if (!event.request().merge().enabled()) {
                return runner.handled(event, CHANNEL, "skipped", "merge.enabled is false");
            }
            return worker.submit(new MergeStage.Target(event.runId(), event.finalStep(), true, event.adapterUri(),
                    event.metrics(), event.request()), event, CHANNEL);
        });
    }
}
