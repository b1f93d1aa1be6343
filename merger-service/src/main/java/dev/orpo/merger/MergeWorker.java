package dev.orpo.merger;

import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.service.ConsumedRuns;
import dev.orpo.service.PublishedEvents;
import dev.orpo.stages.StageFailure;
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

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Runs {@link MergeStage} for both consumers, one merge at a time per process (a merge holds a tensor and its LoRA
 * factors in memory; and a final checkpoint and TrainingCompleted for the same run must not merge twice: whichever
 * comes second finds {@code _COMPLETE} and {@code _PUBLISHED} and publishes nothing).
 */
@ApplicationScoped
public class MergeWorker {
    private static final Logger LOG = Logger.getLogger(MergeWorker.class);

    @Inject
    ObjectStore store;

    @Inject
    MergerEvents events;

    @Inject
    ConsumedRuns consumed;

    @Inject
    PublishedEvents published;

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

    /**
     * Merges unless already merged; publishes ModelMerged, or RunFailed(merge) for unusable inputs. A target merged
     * before whose ModelMerged was never published (a crash between the upload and the event, or a failed hub push)
     * is finished instead: pushed if requested, then published.
     */
    public synchronized void merge(MergeStage.Target target, String channel, String causationId) {
        String what = target.finalModel() ? "final model (step " + target.step() + ")" : "step " + target.step();
        Optional<MergeStage.Merged> done = MergeStage.completed(store, layout, target);
        if (done.isPresent() && MergeStage.published(store, layout, target)) {
            LOG.infof("run %s: %s already merged at %s; nothing to do", target.runId(), what, done.get().modelUri());
            consumed.record(target.runId(), channel, causationId, "already-merged", done.get().modelUri());
            return;
        }
        long start = System.nanoTime();
        try {
            MergeStage.Merged m;
            if (done.isPresent()) {
                LOG.infof("run %s: %s was merged to %s but its ModelMerged never went out; finishing it",
                        target.runId(), what, done.get().modelUri());
                stage.pushStored(target, done.get(), artifacts, layout, workDir.resolve("merge"));
                m = done.get();
            } else {
                m = stage.run(target, artifacts, layout, workDir.resolve("merge"));
            }
            ModelMerged event = new ModelMerged(PipelineEvent.newEventId(), target.runId(),
                    PipelineEvent.SCHEMA_VERSION, Instant.now(), causationId, m.step(), m.modelUri(), m.dtype(),
                    m.tensors(), m.bytes(), target.request());
            events.publish(event);
            MergeStage.markPublished(store, layout, target, event.eventId());
            published.stageTook("merge", start);
            LOG.infof("run %s: merged %s in %.1f s: %d tensors, %s, %.1f MB -> %s", target.runId(), what,
                    (System.nanoTime() - start) / 1e9, m.tensors(), m.dtype(), m.bytes() / 1e6, m.modelUri());
            String repo = target.finalModel() ? target.request().merge().pushToHub() : null;
            consumed.record(target.runId(), channel, causationId, "accepted", (done.isPresent() ? "finished " : "merged ")
                    + m.modelUri() + (repo == null ? "" : ", pushed to hub repo " + repo));
        } catch (StageFailure e) {
            fail(target, channel, causationId, e.getMessage(), e.errors());
        } catch (Exception e) { // an outage or a bug: end the run visibly rather than drop the record
            LOG.errorf(e, "run %s: merge of %s failed", target.runId(), what);
            fail(target, channel, causationId, "merge failed: " + e, List.of());
        }
    }

    private void fail(MergeStage.Target target, String channel, String causationId, String reason,
                      List<dev.orpo.contracts.request.FieldError> errors) {
        LOG.infof("run %s: merge failed: %s %s", target.runId(), reason, errors);
        events.publish(RunFailed.of(target.runId(), causationId, MergeStage.STAGE, reason, errors));
        consumed.record(target.runId(), channel, causationId, "failed", reason);
    }
}
