package dev.orpo.eval;

import dev.orpo.contracts.events.ModelMerged;
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
 * Consumes {@code model-merged}: reads and checks the event, then records it. The evaluation stage
 * is not wired in yet, so nothing is published for it. A malformed record (not JSON, bad run id, missing fields) goes
 * to the DLQ.
 */
@ApplicationScoped
public class ModelMergedConsumer {
    static final String CHANNEL = "model-merged";
    static final String STAGE = "evaluation";
    private static final Logger LOG = Logger.getLogger(ModelMergedConsumer.class);

    @Inject
    ConsumedRuns consumed;

    /** Owns the outgoing channels; the stage will publish through it. */
    @Inject
    EvalEvents events;

    @Incoming(CHANNEL)
    @Blocking
    public void onModelMerged(ConsumerRecord<String, byte[]> record) {
        ModelMerged event = EventMessages.parse(record.value(), ModelMerged.class, record.topic());
        if (event.modelUri() == null) {
            throw new MalformedEventException(
                    "ModelMerged for " + event.runId() + " has no model_uri");
        }
        if (event.request() == null) {
            throw new MalformedEventException(
                    "ModelMerged for " + event.runId() + " has no request");
        }
        LOG.infof("run %s: merged model (step %d) at %s; " + STAGE + " is not implemented yet",
                event.runId(), event.step(), event.modelUri());
        consumed.record(event.runId(), CHANNEL, event.eventId(), "accepted", STAGE + " not implemented yet");
    }
}
