package dev.orpo.dataset;

import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.events.TrainingRequested;
import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.RequestValidator;
import dev.orpo.service.ConsumedRuns;
import dev.orpo.service.PublishedEvents;
import dev.orpo.service.EventMessages;
import dev.orpo.stages.StageFailure;
import dev.orpo.stages.prepare.PrepareResult;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Consumes {@code training-requested}, one record at a time on a worker thread: an invalid request, or one that needs
 * the hub where hub access is disabled, ends the run with {@link RunFailed} (stage {@code request}); a valid one is prepared ({@link DatasetStage}) and announced with
 * {@link DatasetPrepared} (causation = the request's event id), or ends with {@code RunFailed} (stage {@code dataset},
 * the offending rows/fields) when its model or data are unusable. A redelivered request whose
 * {@code runs/<id>/dataset/manifest.json} exists is not prepared again: the stored result is announced again (same
 * payload, new event id), so a crash between upload and publish loses nothing. Malformed records go to the DLQ.
 */
@ApplicationScoped
public class TrainingRequestedConsumer {
    static final String CHANNEL = "training-requested";
    private static final Logger LOG = Logger.getLogger(TrainingRequestedConsumer.class);

    @Inject
    DatasetEvents events;

    @Inject
    ConsumedRuns consumed;

    @Inject
    PublishedEvents published;

    @Inject
    DatasetStage stage;

    @Incoming(CHANNEL)
    @Blocking(ordered = true)
    public void onTrainingRequested(ConsumerRecord<String, byte[]> record) {
        TrainingRequested event = EventMessages.parse(record.value(), TrainingRequested.class, record.topic());
        List<FieldError> errors = new ArrayList<>(RequestValidator.validate(event.request()));
        if (errors.isEmpty()) {
            errors.addAll(stage.hubAccessErrors(event.request()));
        }
        if (!errors.isEmpty()) {
            LOG.infof("run %s: request rejected, %d field error(s): %s", event.runId(), errors.size(), errors);
            events.publish(RunFailed.of(event.runId(), event.eventId(), "request",
                    "invalid request: " + errors.size() + " field error(s)", errors));
            consumed.record(event.runId(), CHANNEL, event.eventId(), "rejected", errors.toString());
            return;
        }
        Optional<PrepareResult> earlier = stage.alreadyPrepared(event.runId());
        if (earlier.isPresent()) {
            LOG.infof("run %s: dataset already prepared (%s); announcing it again", event.runId(),
                    earlier.get().datasetUri());
            events.publish(DatasetStage.announce(event, earlier.get()));
            consumed.record(event.runId(), CHANNEL, event.eventId(), "already-prepared", earlier.get().datasetUri());
            return;
        }
        LOG.infof("run %s: preparing dataset %s with the tokenizer of %s", event.runId(),
                event.request().dataset().uri(), event.request().model().nameOrPath());
        long start = System.nanoTime();
        try {
            PrepareResult r = stage.prepare(event);
            events.publish(DatasetStage.announce(event, r));
            published.stageTook("dataset", start);
            LOG.infof("run %s: dataset prepared in %.1f s: %d train / %d test pairs, %d rejected -> %s",
                    event.runId(), (System.nanoTime() - start) / 1e9, r.trainRows(), r.testRows(), r.rejectedRows(),
                    r.datasetUri());
            consumed.record(event.runId(), CHANNEL, event.eventId(), "accepted", "prepared " + r.datasetUri());
        } catch (StageFailure e) {
            fail(event, e.stage(), e.getMessage(), e.errors());
        } catch (Exception e) { // an outage or a bug: still end the run visibly, never drop the record silently
            LOG.errorf(e, "run %s: dataset preparation failed", event.runId());
            fail(event, "dataset", "dataset preparation failed: " + e, List.of());
        }
    }

    private void fail(TrainingRequested event, String stageName, String reason, List<FieldError> errors) {
        LOG.infof("run %s: %s failed: %s %s", event.runId(), stageName, reason, errors);
        events.publish(RunFailed.of(event.runId(), event.eventId(), stageName, reason, errors));
        consumed.record(event.runId(), CHANNEL, event.eventId(), "failed", reason);
    }
}
