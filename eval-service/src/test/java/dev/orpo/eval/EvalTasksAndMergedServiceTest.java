package dev.orpo.eval;

import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.EvaluationCompleted;
import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.request.RequestParser;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.model.eval.EvalTask;
import dev.orpo.model.eval.ReportHistory;
import dev.orpo.model.eval.TaskFiles;
import dev.orpo.model.merge.AdapterMerger;
import dev.orpo.model.merge.MergeOptions;
import dev.orpo.stages.evaluate.RunEvaluation;
import dev.orpo.stages.evaluate.SuiteData;
import dev.orpo.stages.train.PreparedDataset;
import dev.orpo.model.synthetic.SyntheticChatTokenizer;
import dev.orpo.stages.train.SyntheticPrepared;
import dev.orpo.stages.train.TrainStage;
import dev.orpo.stages.train.TrainStageListener;
import dev.orpo.store.ObjectStore;
import dev.orpo.testing.PipelineStackResource;
import dev.orpo.testing.SharedStackTest;
import dev.orpo.testing.TestTopics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service's full evaluation path on the real broker and S3: a multiple-choice task file read from s3://, a suite
 * task read from an s3:// data directory in the hub's layout, the final
 * checkpoint and then the merged model of the same step, greedy samples for eval.prompts, and a history continued from a report an earlier evaluator
 * instance left in S3. Its numbers equal {@link RunEvaluation} run here on the same files.
 */
@QuarkusTest
@WithTestResource(PipelineStackResource.class)
class EvalTasksAndMergedServiceTest extends SharedStackTest {
    private static final String TASK = String.join("\n",
            "{\"context\": \"what color is the sky\", \"choices\": [\"blue\", \"green\", \"red\"], \"gold\": 0}",
            "{\"context\": \"what color is snow\", \"choices\": [\"white\", \"red\"], \"gold\": 0}",
            "{\"context\": \"the cat sat on the\", \"choices\": [\"mat\", \"moon\", \"sky\"], \"gold\": 0}",
            "{\"context\": \"how are you\", \"choices\": [\"i am fine\", \"no\"], \"gold\": 0}") + "\n";

    private static final String ARC = String.join("\n",
            "{\"id\": \"1\", \"question\": \"what color is the sky ?\", \"choices\": {\"text\": [\"blue\", \"red\"],"
                    + " \"label\": [\"A\", \"B\"]}, \"answerKey\": \"A\"}",
            "{\"id\": \"2\", \"question\": \"what color is grass ?\", \"choices\": {\"text\": [\"white\", \"green\"],"
                    + " \"label\": [\"A\", \"B\"]}, \"answerKey\": \"B\"}") + "\n";

    @TempDir
    Path tmp;

    @Inject
    ObjectStore store;

    @Test
    void tasksFromS3FinalCheckpointAndMergedModelAreEvaluatedWithSamplesContinuingTheStoredHistory() throws Exception {
        String runId = RunIds.newRunId();
        String bucket = store.bucket();
        Path model = SyntheticChatTokenizer.write(SyntheticPrepared.model(tmp.resolve("model"), 7));
        Path dataset = SyntheticPrepared.dataset(tmp.resolve("dataset"), 12, 4, 11);
        Path taskFile = Files.writeString(tmp.resolve("colors.jsonl"), TASK);
        Path arc = tmp.resolve("eval-data/allenai/ai2_arc/ARC-Easy/test.jsonl"); // a suite task in its hub schema
        Files.createDirectories(arc.getParent());
        Files.writeString(arc, ARC);
        TrainingRequest request = RequestParser.parse("""
                {"model": {"name_or_path": "s3://%s/tests/%s/model/"}, "dataset": {"uri": "s3://orpo/d.jsonl"},
                 "lora": {"r": 4, "lora_alpha": 8},
                 "training": {"learning_rate": 0.001, "warmup_steps": 0, "per_device_train_batch_size": 2,
                   "per_device_eval_batch_size": 4, "gradient_accumulation_steps": 1, "max_steps": 2,
                   "eval_steps": 1, "save_steps": 1, "seed": 3},
                 "eval": {"tasks": ["s3://%s/tests/%s/tasks/colors.jsonl"], "prompts": ["what color is the sky"],
                   "max_new_tokens": 4, "suite": "arc_easy", "data_dir": "s3://%s/tests/%s/eval-data/"}}"""
                .formatted(bucket, runId, bucket, runId, bucket, runId), false);
        TrainStage.run(request, new TrainStage.Inputs(model, "m", dataset, 0, tmp.resolve("out"), null),
                new TrainStageListener() { }, () -> false);
        Path step1 = tmp.resolve("out/checkpoints/step-1");
        Path step2 = tmp.resolve("out/checkpoints/step-2");
        Path merged = tmp.resolve("merged");
        AdapterMerger.merge(model, step2, merged, MergeOptions.defaults());

        // the numbers, computed here: an earlier evaluator instance saw step 1 and left its report in S3
        RunEvaluation.Result local1;
        RunEvaluation.Result local2;
        List<EvalTask> tasks = new ArrayList<>(TaskFiles.load(taskFile));
        tasks.addAll(new SuiteData(tmp.resolve("eval-data").toString(), null, null, tmp).load(List.of("arc_easy"), 0));
        RunEvaluation local = new RunEvaluation(model, PreparedDataset.read(dataset).test(), tasks, request.eval(),
                request.training(), model);
        local1 = local.evaluateCheckpoint(1, step1);
        local2 = local.evaluateCheckpoint(2, step2);
        store.putBytes("runs/" + runId + "/eval/report.json", local1.report().json().getBytes(StandardCharsets.UTF_8));
        store.putDirectory("tests/" + runId + "/model/", model);
        store.putFile("tests/" + runId + "/tasks/colors.jsonl", taskFile);
        store.putFile("tests/" + runId + "/eval-data/allenai/ai2_arc/ARC-Easy/test.jsonl", arc);
        store.putDirectory("runs/" + runId + "/dataset/", dataset);
        store.putDirectory("runs/" + runId + "/checkpoints/step-2/", step2);
        store.putDirectory("runs/" + runId + "/merged/", merged);

        topics.publishEvent(new CheckpointSaved(PipelineEvent.newEventId(), runId, 1, Instant.now(), null, 2, 2,
                "s3://" + bucket + "/runs/" + runId + "/checkpoints/step-2/", Map.of(), Map.of(), true, request));
        topics.awaitRecord(Topics.EVALUATION_COMPLETED, r -> runId.equals(r.key()), Duration.ofSeconds(120));
        // the merger's event comes later, on its own topic
        topics.publishEvent(new ModelMerged(PipelineEvent.newEventId(), runId, 1, Instant.now(), null, 2,
                "s3://" + bucket + "/runs/" + runId + "/merged/", "float32", 0, 0L, request));

        await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> topics.awaitRecords(
                Topics.EVALUATION_COMPLETED, r -> runId.equals(r.key()), Duration.ofSeconds(10)).size() == 2);
        List<EvaluationCompleted> done = topics.awaitRecords(Topics.EVALUATION_COMPLETED, r -> runId.equals(r.key()),
                Duration.ofSeconds(10)).stream().map(r -> TestTopics.value(r, EvaluationCompleted.class)).toList();
        assertEquals(List.of("checkpoint", "merged"), done.stream().map(EvaluationCompleted::target).toList());

        Map<String, Map<String, Double>> expected = local2.report().table();
        Map<String, Map<String, Double>> checkpoint = done.get(0).table();
        assertEquals(expected.keySet(), checkpoint.keySet());
        for (String row : expected.keySet()) {
            assertEquals(expected.get(row).keySet(), checkpoint.get(row).keySet(), row);
            assertTrue(checkpoint.get(row).containsKey("colors/acc_norm"), checkpoint.get(row).toString());
            assertTrue(checkpoint.get(row).containsKey("GPT4All") && checkpoint.get(row).containsKey("arc_easy/acc"),
                    "eval.suite read from eval.data_dir: " + checkpoint.get(row));
            expected.get(row).forEach((column, value) -> assertEquals(value, checkpoint.get(row).get(column), 1e-6,
                    row + " " + column));
        }
        // the merged model scores as base + adapter does
        Map<String, Double> mergedTuned = done.get(1).table().get("tuned");
        checkpoint.get("tuned").forEach((column, value) -> assertEquals(value, mergedTuned.get(column), 1e-4,
                "merged " + column));

        // generation samples: the base's and the merged model's greedy replies, as computed here for step 2
        String report = new String(store.getBytes("runs/" + runId + "/eval/report.json"), StandardCharsets.UTF_8);
        var samples = new com.fasterxml.jackson.databind.ObjectMapper().readTree(report).get("samples");
        assertEquals("what color is the sky", samples.get(0).get("prompt").asText());
        for (String row : List.of("base", "tuned")) {
            assertEquals(local2.report().samples().get(0).replies().get(row),
                    samples.get(0).get("replies").get(row).asText(), row);
        }
        assertTrue(new String(store.getBytes("runs/" + runId + "/eval/report.md"), StandardCharsets.UTF_8)
                .contains("Samples"));

        var history = ReportHistory.read(new String(store.getBytes("runs/" + runId + "/eval/report.json"),
                StandardCharsets.UTF_8));
        assertEquals(List.of(1L, 2L), history.stream().map(c -> c.step()).toList(), "step 1 restored, step 2 once");
        assertEquals(local1.tuned().columns().get("eval_loss"), history.get(0).scores().columns().get("eval_loss"),
                1e-12);
    }
}
