package dev.orpo.dataset;

import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.events.TrainingRequested;
import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.RequestValidator;
import dev.orpo.service.StageRunner;
import dev.orpo.service.StageRunner.Done;
import dev.orpo.stages.StageFailure;
import dev.orpo.stages.prepare.PrepareResult;
import dev.orpo.stages.prepare.PrepareStage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Consumes {@code training-requested}, one record at a time on the service's worker thread: an invalid request, one
 * naming a place a request from Kafka may not name ({@link dev.orpo.stages.resolve.SourcePolicy}), or one that needs
 * the hub where hub access is disabled, ends the run with {@link RunFailed} (stage {@code request}, one error per
 * field); a valid one is prepared ({@link DatasetStage}) and announced with {@link DatasetPrepared} (causation = the
 * request's event id), or ends with {@code RunFailed} (stage {@code dataset}, the offending rows/fields) when its model
 * or data are unusable. A redelivered request whose
 * {@code runs/<id>/dataset/manifest.json} exists is not prepared again; its DatasetPrepared is published only if the
 * {@code _PUBLISHED} marker says it never was (a crash between upload and publish). Malformed records go to the DLQ.
 */
@ApplicationScoped
public class TrainingRequestedConsumer {
    static final String CHANNEL = "training-requested";
    private static final Logger LOG = Logger.getLogger(TrainingRequestedConsumer.class);

    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "orpo-dataset");
        t.setDaemon(true);
        return t;
    });

    @Inject
    StageRunner runner;

    @Inject
    DatasetEvents events;

    @Inject
    DatasetStage stage;

    @Incoming(CHANNEL)
    public CompletionStage<Void> onTrainingRequested(ConsumerRecord<String, byte[]> record) {
        return runner.consume(record, TrainingRequested.class, CHANNEL, event -> runner.submit(event, CHANNEL,
                PrepareStage.STAGE, null, executor, () -> prepare(event)));
    }

    private Done prepare(TrainingRequested event) throws IOException {
        List<FieldError> errors = new ArrayList<>(RequestValidator.validate(event.request()));
        errors.addAll(stage.sourceErrors(event.request()));
        if (errors.isEmpty()) {
            errors.addAll(stage.hubAccessErrors(event.request()));
        }
        if (!errors.isEmpty()) {
            throw new StageFailure("request", "invalid request: " + errors.size() + " field error(s)", errors);
        }
        Optional<PrepareResult> earlier = stage.alreadyPrepared(event.runId());
        if (earlier.isPresent()) {
            boolean again = events.publishOnce(DatasetStage.announce(event, earlier.get()),
                    stage.publishedKey(event.runId()));
            LOG.infof("run %s: dataset already prepared (%s)%s", event.runId(), earlier.get().datasetUri(),
                    again ? "; its DatasetPrepared had not gone out: published now" : "");
            return Done.skipped("already-prepared", (again ? "announced " : "already announced ")
                    + earlier.get().datasetUri());
        }
        LOG.infof("run %s: preparing dataset %s with the tokenizer of %s", event.runId(),
                event.request().dataset().uri(), event.request().model().nameOrPath());
        long start = System.nanoTime();
        PrepareResult r = stage.prepare(event);
        events.publishOnce(DatasetStage.announce(event, r), stage.publishedKey(event.runId()));
        LOG.infof("run %s: dataset prepared in %.1f s: %d train / %d test pairs, %d rejected -> %s", event.runId(),
                (System.nanoTime() - start) / 1e9, r.trainRows(), r.testRows(), r.rejectedRows(), r.datasetUri());
        return Done.accepted("prepared " + r.datasetUri());
    }
}
