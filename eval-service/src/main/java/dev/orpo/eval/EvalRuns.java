package dev.orpo.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.contracts.Json;
import dev.orpo.contracts.ObjectStoreLayout;
import dev.orpo.contracts.events.EvaluationCompleted;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.model.eval.EvalReport;
import dev.orpo.model.io.FileTrees;
import dev.orpo.model.eval.McTask;
import dev.orpo.model.eval.ReportHistory;
import dev.orpo.model.eval.TaskFiles;
import dev.orpo.model.text.HfTokenizer;
import dev.orpo.service.ConsumedRuns;
import dev.orpo.service.PublishedEvents;
import dev.orpo.stages.evaluate.RunEvaluation;
import dev.orpo.stages.resolve.Artifacts;
import dev.orpo.stages.train.PreparedDataset;
import dev.orpo.store.ObjectStore;
import dev.orpo.store.S3Uri;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * Evaluations per run: one worker thread per run key (a run's targets in arrival = step order, runs in parallel), a
 * {@link RunEvaluation} per run (base scores computed once), and the uploads: {@code runs/<id>/eval/step-<n>.json}
 * (or {@code merged-step-<n>.json}), then the cumulative {@code report.json} / {@code report.md}, then
 * {@code EvaluationCompleted}. A run first seen after a restart continues the history of the report.json already
 * uploaded. A target that fails (checkpoint does not load, missing data) publishes RunFailed(stage
 * eval) for that evaluation only; the run's later targets are still evaluated.
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
    ConsumedRuns consumed;

    @Inject
    PublishedEvents published;

    @ConfigProperty(name = "orpo.work-dir")
    Path workDir;

    @Inject
    Artifacts artifacts;

    private ObjectStoreLayout layout;
    private final Map<String, ExecutorService> workers = new ConcurrentHashMap<>();
    private final Map<String, RunEvaluation> runs = new ConcurrentHashMap<>();

    @PostConstruct
    void init() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        layout = new ObjectStoreLayout(store.bucket());
    }

    /**
     * Queues one target of a run; the stage completes when it is evaluated (or has failed and said so).
     *
     * @param download downloads the target into the given directory and returns the model/adapter directory
     */
    CompletionStage<Void> submit(String runId, String eventId, String channel, String target, long step,
                                 TrainingRequest request, Function<Path, Path> download) {
        ExecutorService worker = workers.computeIfAbsent(runId, id -> Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "orpo-eval-" + id);
            t.setDaemon(true);
            return t;
        }));
        return CompletableFuture.runAsync(() -> {
            long start = System.nanoTime();
            try {
                Path dir = workDir.resolve("eval").resolve(runId).resolve(target + "-" + step);
                RunEvaluation run = runs.computeIfAbsent(runId, id -> open(id, request));
                Path model = download.apply(dir);
                RunEvaluation.Result result = target.equals("merged") ? run.evaluateMerged(step, model)
                        : run.evaluateCheckpoint(step, model);
                String reportUri = upload(runId, result);
                events.publish(new EvaluationCompleted(PipelineEvent.newEventId(), runId,
                        PipelineEvent.SCHEMA_VERSION, Instant.now(), eventId, target, step, result.report().table(),
                        reportUri));
                published.stageTook("eval", start);
                consumed.record(runId, channel, eventId, "accepted", "evaluated " + target + " step " + step);
            } catch (RuntimeException e) {
                String reason = target + " step " + step + ": " + e.getMessage();
                LOG.errorf(e, "run %s: evaluation failed: %s", runId, reason);
                events.publish(RunFailed.of(runId, eventId, STAGE, reason, List.of(new FieldError(target, reason))));
                consumed.record(runId, channel, eventId, "failed", reason);
            }
        }, worker);
    }

    /** The run's evaluation state: base model, held-out test shards, tasks with the run's tokenizer. */
    private RunEvaluation open(String runId, TrainingRequest request) {
        Path runDir = workDir.resolve("eval").resolve(runId);
        Path dataset = artifacts.download(layout.uri(layout.datasetPrefix(runId)), runDir.resolve("dataset"));
        PreparedDataset data = PreparedDataset.read(dataset);
        Path base = artifacts.model(request.model());
        List<McTask> tasks = new ArrayList<>();
        try {
            for (String task : request.eval().tasks()) {
                Path file = S3Uri.isS3Uri(task) ? artifacts.download(task, runDir.resolve("tasks")) : Path.of(task);
                tasks.addAll(TaskFiles.load(file));
            }
            HfTokenizer tokenizer = tasks.isEmpty() ? null
                    : HfTokenizer.load(data.tokenizer() != null ? data.tokenizer() : base);
            int prefix = tokenizer == null || tokenizer.bosToken() == null ? -1
                    : tokenizer.tokenToId(tokenizer.bosToken()).orElse(-1);
            RunEvaluation run = new RunEvaluation(base, data.test(), tasks,
                    tokenizer == null ? null : tokenizer::encode, prefix, request.eval(), request.training(),
                    data.tokenizer() != null ? data.tokenizer() : base);
            restoreHistory(runId, run);
            return run;
        } catch (IOException e) {
            throw new UncheckedIOException("run " + runId + ": cannot read eval tasks or tokenizer: " + e.getMessage(),
                    e);
        }
    }

    /** An evaluator that restarted continues the run's curve from the report.json it uploaded before. */
    private void restoreHistory(String runId, RunEvaluation run) {
        String key = layout.evalPrefix(runId) + "report.json";
        if (store.exists(key)) {
            List<EvalReport.Checkpoint> history = ReportHistory.read(
                    new String(store.getBytes(key), StandardCharsets.UTF_8));
            run.restoreHistory(history);
            LOG.infof("run %s: continuing the evaluation history of %s (%d entries)", runId, key, history.size());
        }
    }

    private String upload(String runId, RunEvaluation.Result result) {
        String prefix = layout.evalPrefix(runId);
        ObjectNode one = Json.mapper().createObjectNode();
        one.put("target", result.target()).put("step", result.step());
        one.set("table", Json.mapper().valueToTree(result.report().table()));
        String name = (result.target().equals("merged") ? "merged-step-" : "step-") + result.step() + ".json";
        store.putBytes(prefix + name, one.toPrettyString().getBytes(StandardCharsets.UTF_8));
        store.putBytes(prefix + "report.md", result.report().markdown().getBytes(StandardCharsets.UTF_8));
        store.putBytes(prefix + "report.json", result.report().json().getBytes(StandardCharsets.UTF_8));
        return layout.uri(prefix + "report.json");
    }

    /** Downloads an s3:// prefix into {@code dir} (replacing what a failed attempt left there). */
    Path download(String uri, Path dir) {
        try {
            FileTrees.deleteRecursively(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir, e);
        }
        return artifacts.download(uri, dir);
    }

    void shutdown(@Observes ShutdownEvent ev) {
        workers.values().forEach(ExecutorService::shutdownNow);
    }
}
