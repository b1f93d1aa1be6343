package dev.orpo.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.contracts.events.Envelope;
import dev.orpo.contracts.events.EvaluationCompleted;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.model.eval.EvalReport;
import dev.orpo.model.eval.EvalTask;
import dev.orpo.model.eval.ReportHistory;
import dev.orpo.model.io.FileTrees;
import dev.orpo.service.StageRunner;
import dev.orpo.service.StageRunner.Done;
import dev.orpo.stages.evaluate.RunEvaluation;
import dev.orpo.stages.evaluate.RunTasks;
import dev.orpo.stages.resolve.Artifacts;
import dev.orpo.stages.resolve.HubAccess;
import dev.orpo.stages.train.PreparedDataset;
import dev.orpo.store.ObjectStore;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Evaluations per run: a queue per run ({@link RunQueues}: a run's targets in arrival = step order, up to
 * {@code orpo.eval.workers} runs in parallel, no thread or queue kept per finished run), a {@link RunEvaluation} per
 * run (base scores computed once; at most {@code orpo.eval.cached-runs} kept, a run's dropped after its merged model),
 * and the uploads: {@code runs/<id>/eval/step-<n>.json} (or {@code merged-step-<n>.json}), then the cumulative
 * {@code report.json} / {@code report.md}, then {@code EvaluationCompleted}, once per target ({@code _PUBLISHED}
 * marker: a redelivered or duplicate event is not evaluated again). A run first seen after a restart continues the
 * history of the report.json already uploaded. A target that fails publishes RunFailed(stage eval) for that
 * evaluation only (service-support stage runner); the run's later targets are still evaluated.
 */
@ApplicationScoped
public class EvalRuns {
    static final String STAGE = "eval";
    private static final Logger LOG = Logger.getLogger(EvalRuns.class);

    @Inject
    ObjectStore store;

    @Inject
    EvalEvents events;

    @Inject
    StageRunner runner;

    @ConfigProperty(name = "orpo.work-dir")
    Path workDir;

    @Inject
    Artifacts artifacts;

    /** 2: each evaluation already uses every core; more parallel runs would only share them. */
    @ConfigProperty(name = "orpo.eval.workers", defaultValue = "2")
    int workers;

    /** 4 runs' base scores and data in memory; an evicted run's next target computes its base scores again. */
    @ConfigProperty(name = "orpo.eval.cached-runs", defaultValue = "4")
    int cachedRuns;

    /** Hub access for {@code hf://datasets/} task data (the same client as training data; null when disabled). */
    @Inject
    HubAccess hubAccess;

    private ObjectStoreLayout layout;
    private RunQueues queues;
    private Map<String, RunEvaluation> runs;

    @PostConstruct
    void init() {
        layout = new ObjectStoreLayout(store.bucket());
        queues = new RunQueues(workers, "orpo-eval");
        runs = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, RunEvaluation> eldest) {
                return size() > cachedRuns;
            }
        });
    }

    /**
     * Queues one target of a run; the stage completes when it is evaluated (or has failed and said so).
     *
     * @param target {@link EvaluationCompleted#CHECKPOINT} or {@link EvaluationCompleted#MERGED}
     * @param uri    the checkpoint or merged model, an {@code s3://} prefix
     */
    CompletionStage<Void> submit(PipelineEvent cause, String channel, String target, long step,
                                 TrainingRequest request, String uri) {
        return runner.submit(cause, channel, STAGE, target + " step " + step, queues.forRun(cause.runId()),
                () -> evaluate(cause, target, step, request, uri));
    }

    private Done evaluate(PipelineEvent cause, String target, long step, TrainingRequest request, String uri)
            throws IOException {
        String runId = cause.runId();
        String marker = layout.evalPublishedKey(runId, target, step);
        if (store.exists(marker)) {
            return Done.skipped("already-evaluated", target + " step " + step + " evaluated before");
        }
        Path dir = workDir.resolve("eval").resolve(runId).resolve(target + "-" + step);
        RunEvaluation run = runs.get(runId);
        if (run == null) {
            run = open(runId, request);
            runs.put(runId, run);
        }
        Path model = download(uri, dir);
        RunEvaluation.Result result = target.equals(EvaluationCompleted.MERGED) ? run.evaluateMerged(step, model)
                : run.evaluateCheckpoint(step, model);
        String reportUri = upload(runId, result);
        events.publishOnce(EvaluationCompleted.of(Envelope.once(runId, cause.eventId(), EvaluationCompleted.class,
                target + "/" + ObjectStoreLayout.stepName(step)), target, step, result.report().table(), reportUri),
                marker);
        if (target.equals(EvaluationCompleted.MERGED)) {
            runs.remove(runId); // the run's last target: its base scores are not needed again
        }
        FileTrees.deleteRecursively(dir);
        return Done.accepted("evaluated " + target + " step " + step);
    }

    /** The run's evaluation state: base model, held-out test shards, tasks with the run's tokenizer. */
    private RunEvaluation open(String runId, TrainingRequest request) throws IOException {
        Path runDir = workDir.resolve("eval").resolve(runId);
        Path dataset = artifacts.download(layout.uri(layout.datasetPrefix(runId)), runDir.resolve("dataset"));
        PreparedDataset data = PreparedDataset.read(dataset);
        Path base = artifacts.model(request.model());
        List<EvalTask> tasks = RunTasks.load(request.eval(), artifacts, hubAccess.client(), runDir);
        RunEvaluation run = new RunEvaluation(base, data.test(), tasks, request.eval(), request.training(),
                data.tokenizer() != null ? data.tokenizer() : base);
        restoreHistory(runId, run);
        return run;
    }

    /** An evaluator that restarted continues the run's curve from the report.json it uploaded before. */
    private void restoreHistory(String runId, RunEvaluation run) {
        String key = layout.evalReportKey(runId);
        if (store.exists(key)) {
            List<EvalReport.Checkpoint> history = ReportHistory.read(
                    new String(store.getBytes(key), StandardCharsets.UTF_8));
            run.restoreHistory(history);
            LOG.infof("run %s: continuing the evaluation history of %s (%d entries)", runId, key, history.size());
        }
    }

    private String upload(String runId, RunEvaluation.Result result) {
        ObjectNode one = Json.mapper().createObjectNode();
        one.put("target", result.target()).put("step", result.step());
        one.set("table", Json.mapper().valueToTree(result.report().table()));
        store.putBytes(layout.evalTargetKey(runId, result.target(), result.step()),
                one.toPrettyString().getBytes(StandardCharsets.UTF_8));
        store.putBytes(layout.evalReportMarkdownKey(runId),
                result.report().markdown().getBytes(StandardCharsets.UTF_8));
        store.putBytes(layout.evalReportKey(runId), result.report().json().getBytes(StandardCharsets.UTF_8));
        return layout.uri(layout.evalReportKey(runId));
    }

    /** Downloads an s3:// prefix into {@code dir} (replacing what a failed attempt left there). */
    private Path download(String uri, Path dir) throws IOException {
        FileTrees.deleteRecursively(dir);
        return artifacts.download(uri, dir);
    }

    /** Runs with a target queued or being evaluated (a finished run keeps no queue). */
    int activeRuns() {
        return queues.activeRuns();
    }

    void shutdown(@Observes ShutdownEvent ev) {
        queues.close();
    }
}
