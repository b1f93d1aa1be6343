package dev.orpo.dataset;

import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.events.TrainingRequested;
import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.RequestValidator;
import dev.orpo.service.ConsumedRuns;
import dev.orpo.service.EventMessages;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Consumes {@code training-requested}: validates the request; an invalid one ends the run with {@link RunFailed}
 * (stage {@code request}, one error per bad field). A valid one is recorded; dataset preparation is not wired in yet,
 * so nothing else is published for it. A malformed record (not JSON, bad run id) goes to the DLQ.
 */
@ApplicationScoped
public class TrainingRequestedConsumer {
    static final String CHANNEL = "training-requested";
    private static final Logger LOG = Logger.getLogger(TrainingRequestedConsumer.class);

    @Inject
    DatasetEvents events;

    @Inject
    ConsumedRuns consumed;

    @Incoming(CHANNEL)
    @Blocking
    public void onTrainingRequested(ConsumerRecord<String, byte[]> record) {
        TrainingRequested event = EventMessages.parse(record.value(), TrainingRequested.class, record.topic());
        List<FieldError> errors = RequestValidator.validate(event.request());
        if (!errors.isEmpty()) {
            LOG.infof("run %s: request rejected, %d field error(s): %s", event.runId(), errors.size(), errors);
            events.publish(RunFailed.of(event.runId(), event.eventId(), "request",
                    "invalid request: " + errors.size() + " field error(s)", errors));
            consumed.record(event.runId(), CHANNEL, event.eventId(), "rejected", errors.toString());
            return;
        }
        LOG.infof("run %s: request accepted (model %s, dataset %s); dataset preparation is not implemented yet",
                event.runId(), event.request().model().nameOrPath(), event.request().dataset().uri());
        consumed.record(event.runId(), CHANNEL, event.eventId(), "accepted", "dataset preparation not implemented yet");
    }
}
