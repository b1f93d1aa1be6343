package dev.orpo.dataset;

import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.Envelope;
import dev.orpo.contracts.events.TrainingRequested;
import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.stages.prepare.PrepareOptions;
import dev.orpo.stages.prepare.PrepareResult;
import dev.orpo.stages.prepare.PrepareStage;
import dev.orpo.stages.prepare.PrepareStageConfig;
import dev.orpo.stages.resolve.Artifacts;
import dev.orpo.stages.resolve.SourcePolicy;
import dev.orpo.store.ObjectStore;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The dataset stage as this service runs it: {@link PrepareStage} with the service's store and {@link Artifacts}. */
@ApplicationScoped
public class DatasetStage {
    @Inject
    ObjectStore store;

    @ConfigProperty(name = "orpo.work-dir")
    Path workDir;

    @ConfigProperty(name = "orpo.dataset.max-reject-fraction", defaultValue = "0.1")
    double maxRejectFraction;

    @Inject
    Artifacts artifacts;

    /** Directories a request's local paths may lie in (comma separated); none by default (SourcePolicy). */
    @ConfigProperty(name = "orpo.sources.local-roots")
    Optional<String> localRoots;

    private PrepareStage stage;
    private ObjectStoreLayout layout;
    private SourcePolicy sources;

    @PostConstruct
    void init() {
        stage = new PrepareStage(new PrepareStageConfig(maxRejectFraction, PrepareOptions.DEFAULTS));
        layout = new ObjectStoreLayout(store.bucket());
        sources = SourcePolicy.of(store.bucket(), localRoots.orElse(""));
    }

    /** The places {@code request} names that a request from Kafka may not name (other buckets, file:, ...). */
    public List<FieldError> sourceErrors(TrainingRequest request) {
        return sources.check(request);
    }

    /** Where the request needs the hub although hub access is disabled here (empty when it is enabled). */
    public List<FieldError> hubAccessErrors(TrainingRequest request) {
        return artifacts.hubAccessErrors(request);
    }

    /** A finished earlier preparation of this run, if its manifest.json is in the store. */
    public Optional<PrepareResult> alreadyPrepared(String runId) {
        return PrepareStage.alreadyPrepared(store, layout, runId);
    }

    /** Prepares and uploads; throws {@link dev.orpo.stages.StageFailure} for bad input. */
    public PrepareResult prepare(TrainingRequested event) throws IOException {
        return stage.run(event.runId(), event.request(), artifacts, layout, workDir.resolve("dataset"));
    }

    /** Where the run's DatasetPrepared is marked as published. */
    public String publishedKey(String runId) {
        return layout.datasetPublishedKey(runId);
    }

    /**
     * The run's one DatasetPrepared (its id derived from the run: every announcement of it carries the same); its
     * request reads the base model from the stage's store copy, if it made one.
     */
    static DatasetPrepared announce(TrainingRequested cause, PrepareResult r) {
        TrainingRequest q = cause.request();
        TrainingRequest request = r.modelMirrorUri() == null ? q : new TrainingRequest(
                q.model().withMirror(r.modelMirrorUri()), q.dataset(), q.chatTemplate(), q.lora(), q.quantization(),
                q.training(), q.merge(), q.eval());
        return DatasetPrepared.of(Envelope.once(cause.runId(), cause.eventId(), DatasetPrepared.class, ""),
                r.datasetUri(), r.manifestSha256(), r.trainRows(), r.testRows(), r.rejectedRows(), r.trainTokens(),
                r.vocabSize(), request);
    }
}
