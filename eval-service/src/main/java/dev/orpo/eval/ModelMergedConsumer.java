package dev.orpo.eval;

import dev.orpo.contracts.events.ModelMerged;
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
 * Consumes {@code model-merged}: when {@code eval.enabled}, the merged model is queued on the run's worker
 * ({@link EvalRuns}) and evaluated against the base. A malformed record goes to the DLQ.
 */
@ApplicationScoped
public class ModelMergedConsumer {
    static final String CHANNEL = "model-merged";
    private static final Logger LOG = Logger.getLogger(ModelMergedConsumer.class);

    @Inject
    ConsumedRuns consumed;

    @Inject
    EvalRuns runs;

    @Incoming(CHANNEL)
    public CompletionStage<Void> onModelMerged(ConsumerRecord<String, byte[]> record) {
        ModelMerged event;
        try {
            event = EventMessages.parse(record.value(), ModelMerged.class, record.topic());
            if (event.modelUri() == null) {
                throw new MalformedEventException("ModelMerged for " + event.runId() + " has no model_uri");
            }
            if (event.request() == null) {
                throw new MalformedEventException("ModelMerged for " + event.runId() + " has no request");
            }
        } catch (MalformedEventException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (!event.request().eval().enabled()) {
            consumed.record(event.runId(), CHANNEL, event.eventId(), "accepted", "evaluation not requested");
            return CompletableFuture.completedFuture(null);
        }
        LOG.infof("run %s: merged model step %d at %s queued for evaluation", event.runId(), event.step(),
                event.modelUri());
        consumed.record(event.runId(), CHANNEL, event.eventId(), "queued", "waiting for the run's eval worker");
        return runs.submit(event.runId(), event.eventId(), CHANNEL, "merged", event.step(), event.request(),
                dir -> runs.download(event.modelUri(), dir));
    }
}
