package dev.orpo.merger;

import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.contracts.events.Envelope;
import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.service.StageRunner;
import dev.orpo.service.StageRunner.Done;
import dev.orpo.stages.merge.HubPush;
import dev.orpo.stages.merge.MergeStage;
import dev.orpo.stages.resolve.Artifacts;
import dev.orpo.stages.resolve.HubAccess;
import dev.orpo.store.ObjectStore;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs {@link MergeStage} for both consumers on one thread, one merge at a time per process (a merge holds a tensor
 * and its LoRA factors in memory; and a final checkpoint and TrainingCompleted for the same run must not merge twice:
 * whichever comes second finds {@code _COMPLETE} and {@code _PUBLISHED} and publishes nothing). Failures follow the
 * service-support stage runner's policy ({@code RunFailed(merge)}).
 */
@ApplicationScoped
public class MergeWorker {
    static final String STAGE = MergeStage.STAGE;
    private static final Logger LOG = Logger.getLogger(MergeWorker.class);

    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "orpo-merger");
        t.setDaemon(true);
        return t;
    });

    @Inject
    ObjectStore store;

    @Inject
    MergerEvents events;

    @Inject
    StageRunner runner;

    @ConfigProperty(name = "orpo.work-dir")
    Path workDir;

    @Inject
    Artifacts artifacts;

    /** Where {@code merge.push_to_hub} pushes (the token is required for it). */
    @Inject
    HubAccess hub;

    private MergeStage stage;
    private ObjectStoreLayout layout;

    @PostConstruct
    void init() {
        stage = new MergeStage(HubPush.of(hub));
        layout = new ObjectStoreLayout(store.bucket());
    }

    /** Queues a merge; the stage completes when it is merged and announced (or the run failed and said so). */
    public CompletionStage<Void> submit(MergeStage.Target target, PipelineEvent cause, String channel) {
        return runner.submit(cause, channel, STAGE, null, executor, () -> merge(target, cause));
    }

    /**
     * Merges unless already merged, then publishes ModelMerged once. A target merged before whose ModelMerged was
     * never published (a crash between the upload and the event, or a failed hub push) is finished instead: pushed if
     * requested, then published.
     */
    private Done merge(MergeStage.Target target, PipelineEvent cause) throws IOException {
        String what = target.finalModel() ? "final model (step " + target.step() + ")" : "step " + target.step();
        Optional<MergeStage.Merged> done = MergeStage.completed(store, layout, target);
        if (done.isPresent() && MergeStage.published(store, layout, target)) {
            LOG.infof("run %s: %s already merged at %s; nothing to do", target.runId(), what, done.get().modelUri());
            return Done.skipped("already-merged", done.get().modelUri());
        }
        long start = System.nanoTime();
        MergeStage.Merged m;
        if (done.isPresent()) {
            LOG.infof("run %s: %s was merged to %s but its ModelMerged never went out; finishing it",
                    target.runId(), what, done.get().modelUri());
            stage.pushStored(target, done.get(), artifacts, layout, workDir.resolve("merge"));
            m = done.get();
        } else {
            LOG.infof("run %s: merging %s from %s", target.runId(), what, target.checkpointUri());
            m = stage.run(target, artifacts, layout, workDir.resolve("merge"));
        }
        events.publishOnce(ModelMerged.of(Envelope.once(target.runId(), cause.eventId(), ModelMerged.class,
                        target.finalModel() ? "final" : ObjectStoreLayout.stepName(target.step())), m.step(),
                m.modelUri(), m.dtype(), m.tensors(), m.bytes(), target.request()),
                MergeStage.publishedKey(layout, target));
        LOG.infof("run %s: merged %s in %.1f s: %d tensors, %s, %.1f MB -> %s", target.runId(), what,
                (System.nanoTime() - start) / 1e9, m.tensors(), m.dtype(), m.bytes() / 1e6, m.modelUri());
        String repo = target.finalModel() ? target.request().merge().pushToHub() : null;
        return Done.accepted((done.isPresent() ? "finished " : "merged ") + m.modelUri()
                + (repo == null ? "" : ", pushed to hub repo " + repo));
    }
}
