package dev.orpo.model.train;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.lora.PeftAdapter;
import dev.orpo.model.lora.PeftAdapterFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerListenerTest {
    static final List<String> TRL_NAMES = List.of("loss", "rewards/chosen", "rewards/rejected", "rewards/accuracies",
            "rewards/margins", "logps/chosen", "logps/rejected", "logits/chosen", "logits/rejected", "nll_loss",
            "log_odds_ratio", "log_odds_chosen", "learning_rate", "grad_norm", "epoch");
    static NDManager manager;
    @TempDir
    Path dir;

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void listenerSeesTrlMetricsEvalsAtTheirStepsAndLoadableCheckpoints() throws IOException {
        // 20 rows, batch 2, no accumulation: 10 updates; eval every ceil(0.3·10) = 3; save every 4 and at the end
        TrainerConfig config = SyntheticRun.fast().with("per_device_train_batch_size", "2")
                .with("logging_steps", "2").with("eval_steps", "0.3").with("save_steps", "4");
        List<StepLog> logs = new ArrayList<>();
        List<Integer> evalSteps = new ArrayList<>();
        List<Integer> savedSteps = new ArrayList<>();
        List<TrainResult> ends = new ArrayList<>();
        List<Integer> liveArrays = new ArrayList<>();
        try (LlamaModel model = SyntheticRun.model(SyntheticRun.base(dir), manager, 0.05)) {
            OrpoTrainer trainer = new OrpoTrainer(model, config, SyntheticRun.TRAIN.subList(0, 20),
                    SyntheticRun.EVAL.subList(0, 8), dir.resolve("out"), "synthetic-tiny");
            trainer.addListener(new TrainerListener() {
                @Override
                public void onLog(StepLog log) {
                    logs.add(log);
                    liveArrays.add(((BaseNDManager) manager).getManagedArrays().size());
                }

                @Override
                public void onEvaluate(int step, Map<String, Double> metrics) {
                    evalSteps.add(step);
                    assertEquals(TRL_NAMES.subList(0, 12).stream().map(n -> "eval_" + n).collect(Collectors.toList()),
                            new ArrayList<>(metrics.keySet()));
                }

                @Override
                public void onCheckpoint(int step, Path checkpoint) {
                    savedSteps.add(step);
                    PeftAdapter adapter = PeftAdapterFiles.read(checkpoint);
                    assertEquals(8, adapter.config().r());
                    assertEquals(Checkpoints.dirName(step), checkpoint.getFileName().toString());
                    assertTrue(Files.isRegularFile(checkpoint.resolve(Checkpoints.OPTIMIZER_FILE)));
                    assertEquals(step, TrainerState.read(checkpoint).globalStep());
                    assertEquals(step, Checkpoints.readOptimizer(checkpoint).step());
                }

                @Override
                public void onEnd(TrainResult result) {
                    ends.add(result);
                }
            });
            assertEquals(10, trainer.totalSteps());
            trainer.train();
        }
        assertEquals(List.of(2, 4, 6, 8, 10), logs.stream().map(StepLog::step).collect(Collectors.toList()));
        for (StepLog log : logs) {
            assertEquals(TRL_NAMES, new ArrayList<>(log.metrics().keySet()));
            assertEquals(10, log.totalSteps());
            assertEquals(log.step() / 10.0, log.metric("epoch"), 1e-12);
            assertTrue(log.tokensPerSecond() > 0 && log.etaSeconds() >= 0, log.toString());
        }
        assertEquals(0.0, logs.get(4).etaSeconds(), 1e-9);
        assertEquals(List.of(liveArrays.get(0), liveArrays.get(0), liveArrays.get(0), liveArrays.get(0),
                liveArrays.get(0)), liveArrays, "every step's arrays die with its scope");
        assertEquals(List.of(3, 6, 9), evalSteps);
        assertEquals(List.of(4, 8, 10), savedSteps);
        assertEquals(1, ends.size());
        assertEquals(10, ends.get(0).step());
        try (Stream<Path> entries = Files.list(dir.resolve("out/checkpoints"))) {
            assertEquals(List.of("step-10", "step-4", "step-8"),
                    entries.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()),
                    "only complete step-<n> directories, no temporary ones");
        }
        JsonNode state = new ObjectMapper().readTree(dir.resolve("out/checkpoints/step-10/trainer_state.json")
                .toFile());
        assertEquals(10, state.get("global_step").asInt());
        assertEquals(5 + 3, state.get("log_history").size(), "5 training logs and 3 evaluations");
        assertEquals(9, state.get("log_history").get(6).get("step").asInt());
        assertTrue(state.get("log_history").get(6).has("eval_loss"));
    }

    @Test
    void cancellingBeforeTheFirstUpdateStillWritesACheckpoint() {
        try (LlamaModel model = SyntheticRun.model(SyntheticRun.base(dir), manager, 0.0)) {
            TrainResult r = new OrpoTrainer(model, SyntheticRun.fast(), SyntheticRun.TRAIN.subList(0, 4), List.of(),
                    dir.resolve("out"), "tiny").cancelWhen(() -> true).train();
            assertTrue(r.cancelled());
            assertEquals(0, r.step());
            assertEquals(dir.resolve("out/checkpoints/step-0"), r.finalCheckpoint());
            assertEquals(0, PeftAdapterFiles.read(r.finalCheckpoint()).tensors().values().stream()
                    .filter(t -> t.shape()[1] == 8).mapToDouble(t -> {
                        double s = 0;
                        for (float v : t.data()) {
                            s += Math.abs(v);
                        }
                        return s;
                    }).sum(), 0.0, "lora_B starts at zero");
        }
    }
}
