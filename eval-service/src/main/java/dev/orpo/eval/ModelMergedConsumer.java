package dev.orpo.eval;

import dev.orpo.contracts.events.EvaluationCompleted;
import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.service.StageRunner;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.concurrent.CompletionStage;

/**
 * Consumes {@code model-merged}: when {@code eval.enabled}, the merged model is queued on the run's queue
 * ({@link EvalRuns}) and evaluated against the base. A malformed record goes to the DLQ.
 */
@ApplicationScoped
public class ModelMergedConsumer {
    static final String CHANNEL = "model-merged";

    @Inject
    StageRunner runner;

    @Inject
    EvalRuns runs;

    @Incoming(CHANNEL)
    public CompletionStage<Void> onModelMerged(ConsumerRecord<String, byte[]> record) {
        return runner.consume(record, ModelMerged.class, CHANNEL, event -> {
            if (!event.request().eval().enabled()) {
                return runner.handled(event, CHANNEL, "skipped", "evaluation not requested (eval.enabled)");
            }
            return runs.submit(event, CHANNEL, EvaluationCompleted.MERGED, event.step(), event.request(),
                    event.modelUri());
        });
    }
}
