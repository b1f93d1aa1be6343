package dev.orpo.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.TrainableTensors;
import dev.orpo.model.lora.DenseWeight;
import dev.orpo.model.lora.LoraTarget;
import dev.orpo.model.lora.PeftAdapter;
import dev.orpo.model.lora.PeftAdapterFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OrpoTrainerTest {
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
    void trainingOnSyntheticTaskRaisesHeldOutRewardAccuracyAndLowersNll() {
        TrainerConfig config = SyntheticRun.fast().with("num_train_epochs", "2").with("eval_on_start", "true")
                .with("eval_steps", "0.5").with("logging_steps", "4");
        try (LlamaModel model = SyntheticRun.model(SyntheticRun.base(dir), manager, 0.05)) {
            Map<String, float[]> baseBefore = baseWeights(model);
            Map<String, float[]> loraBefore = host(model);
            List<Map<String, Double>> evals = new ArrayList<>();
            OrpoTrainer trainer = new OrpoTrainer(model, config, SyntheticRun.TRAIN, SyntheticRun.EVAL, dir.resolve("out"),
                    "synthetic-tiny");
            trainer.addListener(new TrainerListener() {
                @Override
                public void onEvaluate(int step, Map<String, Double> metrics) {
                    evals.add(metrics);
                }
            });
            TrainResult result = trainer.train();
            assertEquals(32, result.step());
            assertEquals(3, evals.size(), "evaluations at steps 0, 16, 32");
            Map<String, Double> first = evals.get(0);
            Map<String, Double> lastEval = evals.get(2);
            assertEquals(lastEval, trainer.evaluate(), "evaluation is deterministic (eval mode: no dropout)");
            assertTrue(lastEval.get("eval_rewards/accuracies") >= 0.9, "held-out accuracy " + lastEval);
            assertTrue(lastEval.get("eval_nll_loss") < first.get("eval_nll_loss"), first + " -> " + lastEval);
            // only LoRA factors moved; every frozen base tensor is bit-identical
            baseWeights(model).forEach((k, v) -> assertArrayEquals(baseBefore.get(k), v, 0f, k));
            Map<String, float[]> loraAfter = host(model);
            loraAfter.forEach((k, v) -> assertFalse(java.util.Arrays.equals(loraBefore.get(k), v), k + " unchanged"));
            // the final checkpoint's adapter is the trained model's
            PeftAdapter saved = PeftAdapterFiles.read(result.finalCheckpoint());
            assertEquals("synthetic-tiny", saved.config().baseModelNameOrPath());
            loraAfter.forEach((k, v) -> assertArrayEquals(v, saved.tensors().get(k).data(), 0f, k));
        }
    }

    @Test
    void disableDropoutTrainsAsIfLoraDropoutWereZero() {
        // TRL's disable_dropout (default true) zeroes LoRA's dropout too: lora_dropout=0.5 then trains like 0.0
        TrainerConfig config = SyntheticRun.fast().with("max_steps", "3");
        Path base = SyntheticRun.base(dir);
        Map<String, float[]> noDropout = trained(base, 0.0, config);
        Map<String, float[]> disabled = trained(base, 0.5, config);
        Map<String, float[]> acting = trained(base, 0.5, config.with("disable_dropout", "false"));
        noDropout.forEach((k, v) -> assertArrayEquals(v, disabled.get(k), 0f, k));
        assertFalse(noDropout.keySet().stream().allMatch(k -> java.util.Arrays.equals(noDropout.get(k),
                acting.get(k))), "dropout 0.5 acting changes the adapter");
        assertTrue(TrainerConfig.defaults().disableDropout());
    }

    private Map<String, float[]> trained(Path base, double dropout, TrainerConfig config) {
        try (LlamaModel model = SyntheticRun.model(base, manager, dropout)) {
            new OrpoTrainer(model, config, SyntheticRun.TRAIN.subList(0, 12), List.of(),
                    dir.resolve("dropout-" + dropout + "-" + config.disableDropout()), "tiny").train();
            return host(model);
        }
    }

    static Map<String, float[]> host(LlamaModel model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        TrainableTensors.export(model).forEach((k, t) -> out.put(k, t.data()));
        return out;
    }

    static Map<String, float[]> baseWeights(LlamaModel model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        out.put("embed", model.embedding().weight().toFloatArray());
        out.put("lm_head", model.lmHead().weight().toFloatArray());
        for (int i = 0; i < model.layers().size(); i++) {
            for (LoraTarget t : LoraTarget.values()) {
                NDArray w = ((DenseWeight) model.layers().get(i).linear(t).base()).array();
                out.put(i + "." + t, w.toFloatArray());
            }
        }
        return out;
    }
}
