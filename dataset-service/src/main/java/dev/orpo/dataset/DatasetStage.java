package dev.orpo.dataset;

import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.Envelope;
import dev.orpo.contracts.events.TrainingRequested;
import dev.orpo.stages.prepare.PrepareOptions;
import dev.orpo.stages.prepare.PrepareResult;
import dev.orpo.stages.prepare.PrepareStage;
import dev.orpo.stages.prepare.PrepareStageConfig;
import dev.orpo.stages.resolve.Artifacts;
import dev.orpo.stages.resolve.HubClient;
import dev.orpo.store.ObjectStore;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** The dataset stage as this service runs it: {@link PrepareStage} with the service's store, cache and hub. */
@ApplicationScoped
public class DatasetStage {
    @Inject
    ObjectStore store;

    @ConfigProperty(name = "orpo.work-dir")
    Path workDir;

    @ConfigProperty(name = "orpo.dataset.max-reject-fraction", defaultValue = "0.1")
    double maxRejectFraction;

    @ConfigProperty(name = "orpo.hub.url")
    Optional<String> hubUrl;

    private Artifacts artifacts;
    private PrepareStage stage;
    private ObjectStoreLayout layout;

    @PostConstruct
    void init() {
        HubClient hub = hubUrl.filter(u -> !u.isBlank()).map(u -> new HubClient(u, System.getenv("HF_TOKEN")))
                .orElse(null);
        artifacts = new Artifacts(store, workDir.resolve("cache"), hub);
        stage = new PrepareStage(new PrepareStageConfig(maxRejectFraction, PrepareOptions.DEFAULTS));
        layout = new ObjectStoreLayout(store.bucket());
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

    /** The run's one DatasetPrepared (its id derived from the run: every announcement of it carries the same). */
    static DatasetPrepared announce(TrainingRequested cause, PrepareResult r) {
        return DatasetPrepared.of(Envelope.once(cause.runId(), cause.eventId(), DatasetPrepared.class, ""),
                r.datasetUri(), r.manifestSha256(), r.trainRows(), r.testRows(), r.rejectedRows(), r.trainTokens(),
                r.vocabSize(), cause.request());
    }
}
