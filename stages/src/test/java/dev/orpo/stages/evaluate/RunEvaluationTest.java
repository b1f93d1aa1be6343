package dev.orpo.stages.evaluate;

import dev.orpo.contracts.request.EvalSpec;
import dev.orpo.contracts.request.RequestParser;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.model.eval.ModelScores;
import dev.orpo.model.eval.ReportHistory;
import dev.orpo.stages.train.PreparedDataset;
import dev.orpo.stages.train.StageFailure;
import dev.orpo.stages.train.SyntheticPrepared;
import dev.orpo.stages.train.TrainStage;
import dev.orpo.stages.train.TrainStageListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunEvaluationTest {
    @TempDir
    static Path dir;
    static Path model;
    static PreparedDataset data;
    static TrainingRequest request;
    static TrainStage.Outcome trained;

    @BeforeAll
    static void train() {
        model = SyntheticPrepared.model(dir.resolve("model"), 7);
        Path prepared = SyntheticPrepared.dataset(dir.resolve("dataset"), 12, 4, 11);
        data = PreparedDataset.read(prepared);
        request = RequestParser.parse("""
                {"model": {"name_or_path": "tiny"}, "dataset": {"uri": "s3://orpo/d.jsonl"},
                 "lora": {"r": 4, "lora_alpha": 8},
                 "training": {"learning_rate": 0.001, "warmup_steps": 0, "per_device_train_batch_size": 2,
                   "per_device_eval_batch_size": 4, "gradient_accumulation_steps": 1, "max_steps": 2,
                   "eval_steps": 1, "save_steps": 1, "seed": 3}}""", false);
        trained = TrainStage.run(request, new TrainStage.Inputs(model, "tiny", prepared, 0, dir.resolve("out"), null),
                new TrainStageListener() { }, () -> false);
    }

    @Test
    void checkpointsAreScoredAgainstABaseComputedOnceWithTheTrainersEvalMetrics() {
        RunEvaluation run = new RunEvaluation(model, data.test(), List.of(), null, -1, EvalSpec.defaults(),
                request.training());
        RunEvaluation.Result first = run.evaluateCheckpoint(1, dir.resolve("out/checkpoints/step-1"));
        RunEvaluation.Result second = run.evaluateCheckpoint(2, dir.resolve("out/checkpoints/step-2"));

        assertSame(first.report().rows().get(0), second.report().rows().get(0), "base scored once");
        assertEquals(List.of(1L, 2L), second.report().history().stream().map(c -> c.step()).toList());
        Map<String, Map<String, Double>> table = second.report().table();
        assertEquals(List.of("base", "tuned"), List.copyOf(table.keySet()));
        ModelScores tuned = second.tuned();
        for (String name : List.of("eval_loss", "eval_nll_loss", "eval_rewards/margins", "eval_log_odds_ratio")) {
            assertEquals(trained.finalMetrics().get(name), tuned.metrics().get(name), 1e-4, name);
        }
        assertTrue(table.get("base").get("eval_loss") > table.get("tuned").get("eval_loss"), table.toString());
    }

    @Test
    void aRestoredHistoryIsContinuedAndAStepEvaluatedAgainReplacesItsEntry() {
        RunEvaluation before = new RunEvaluation(model, data.test(), List.of(), null, -1, EvalSpec.defaults(),
                request.training());
        RunEvaluation.Result one = before.evaluateCheckpoint(1, dir.resolve("out/checkpoints/step-1"));

        RunEvaluation restarted = new RunEvaluation(model, data.test(), List.of(), null, -1, EvalSpec.defaults(),
                request.training());
        restarted.restoreHistory(ReportHistory.read(one.report().json()));
        restarted.evaluateCheckpoint(2, dir.resolve("out/checkpoints/step-2"));
        RunEvaluation.Result again = restarted.evaluateCheckpoint(2, dir.resolve("out/checkpoints/step-2"));

        assertEquals(List.of(1L, 2L), again.report().history().stream().map(c -> c.step()).toList());
        assertEquals(one.tuned().metrics().get("eval_loss"),
                again.report().history().get(0).scores().columns().get("eval_loss"), 1e-12);
    }

    @Test
    void aCheckpointThatCannotBeLoadedFailsNamingIt() throws Exception {
        Path broken = dir.resolve("broken");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("adapter_config.json"), "{}");
        RunEvaluation run = new RunEvaluation(model, data.test(), List.of(), null, -1, EvalSpec.defaults(),
                request.training());
        StageFailure e = assertThrows(StageFailure.class, () -> run.evaluateCheckpoint(3, broken));
        assertTrue(e.getMessage().contains(broken.toString()), e.getMessage());
    }
}
