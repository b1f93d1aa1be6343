package dev.orpo.model.train;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.orpo.PreferencePair;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccumulationAndResumeTest {
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
    void gradientAccumulationFourByOneEqualsOneByFour() {
        // Adam's update barely depends on the gradient's scale, so also compare the logged pre-clip gradient norm
        // and loss: they expose a missing 1/n loss scaling
        List<PreferencePair> rows = SyntheticRun.TRAIN.subList(0, 8);
        TrainerConfig base = SyntheticRun.fast().with("warmup_steps", "0").with("max_grad_norm", "0.5");
        List<StepLog> accumulatedLogs = new ArrayList<>();
        List<StepLog> oneBatchLogs = new ArrayList<>();
        Map<String, float[]> accumulated = trainAdapter(base.with("per_device_train_batch_size", "1")
                .with("gradient_accumulation_steps", "4"), rows, "acc", accumulatedLogs);
        Map<String, float[]> oneBatch = trainAdapter(base.with("per_device_train_batch_size", "4")
                .with("gradient_accumulation_steps", "1"), rows, "big", oneBatchLogs);
        assertClose(oneBatch, accumulated, 1e-5);
        for (int i = 0; i < 2; i++) {
            for (String metric : List.of("grad_norm", "loss", "nll_loss", "rewards/margins")) {
                double expected = oneBatchLogs.get(i).metric(metric);
                assertEquals(expected, accumulatedLogs.get(i).metric(metric), 1e-5 * Math.max(1, Math.abs(expected)),
                        metric + " at step " + (i + 1));
            }
        }
        assertTrue(oneBatchLogs.get(0).metric("grad_norm") > 0.5, "clipping is exercised");
    }

    @Test
    void resumedRunEqualsUninterruptedRun() {
        assertResumeIsExact(resumable(), SyntheticRun.TRAIN.subList(0, 12));
    }

    @Test
    void resumedRunGroupedByLengthEqualsUninterruptedRunAndGroupingChangesTheBatches() {
        TrainerConfig grouped = resumable().with("group_by_length", "true");
        List<PreferencePair> rows = SyntheticRun.ragged(12, 8);
        Map<String, float[]> groupedAdapter = assertResumeIsExact(grouped, rows);
        Map<String, float[]> shuffledAdapter;
        try (LlamaModel model = SyntheticRun.model(SyntheticRun.base(dir), manager, 0.1)) {
            new OrpoTrainer(model, resumable(), rows, List.of(), dir.resolve("plain"), "tiny").train();
            shuffledAdapter = OrpoTrainerTest.host(model);
        }
        assertTrue(StepRun.maxDiff(groupedAdapter, shuffledAdapter) > 1e-5, "grouping changed which pairs met");
        try (LlamaModel model = SyntheticRun.model(SyntheticRun.base(dir), manager, 0.1)) {
            Path checkpoint = dir.resolve("cut").resolve("checkpoints").resolve("step-4");
            OrpoTrainer ungrouped = new OrpoTrainer(model, resumable(), rows, List.of(), dir.resolve("y"), "tiny");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ungrouped.resume(checkpoint));
            assertTrue(e.getMessage().contains("group_by_length"), e.getMessage());
        }
    }

    /** For 12 rows, 2 pairs × 2 micro-batches: 3 updates per epoch, 2 epochs; LoRA dropout on (its masks resume). */
    private static TrainerConfig resumable() {
        return SyntheticRun.fast().with("per_device_train_batch_size", "2").with("gradient_accumulation_steps", "2")
                .with("num_train_epochs", "2").with("disable_dropout", "false");
    }

    /**
     * Cancels {@code config}'s run on 12 {@code rows} after 4 of 6 updates and resumes it in a fresh trainer: the
     * uninterrupted run's adapter (returned). LoRA dropout on.
     */
    private Map<String, float[]> assertResumeIsExact(TrainerConfig config, List<PreferencePair> rows) {
        Path baseDir = SyntheticRun.base(dir);
        Map<String, float[]> uninterrupted;
        try (LlamaModel model = SyntheticRun.model(baseDir, manager, 0.1)) {
            TrainResult r = new OrpoTrainer(model, config, rows, List.of(), dir.resolve("full"), "tiny").train();
            assertEquals(6, r.step());
            uninterrupted = OrpoTrainerTest.host(model);
        }
        Path checkpoint;
        try (LlamaModel model = SyntheticRun.model(baseDir, manager, 0.1)) {
            OrpoTrainer trainer = new OrpoTrainer(model, config, rows, List.of(), dir.resolve("cut"), "tiny");
            int[] updates = {0};
            trainer.addListener(new TrainerListener() {
                @Override
                public void onLog(StepLog log) {
                    updates[0] = log.step();
                }
            });
            TrainResult r = trainer.cancelWhen(() -> updates[0] >= 4).train();
            assertTrue(r.cancelled());
            assertEquals(4, r.step());
            checkpoint = r.finalCheckpoint();
            assertEquals("step-4", checkpoint.getFileName().toString());
            TrainerState state = TrainerState.read(checkpoint);
            assertEquals(1, state.dataEpoch());
            assertEquals(1, state.stepInEpoch());
            assertEquals(4, state.logHistory().size());
        }
        // a fresh process-like start: new model, new LoRA init, everything restored from the checkpoint
        try (LlamaModel model = SyntheticRun.model(baseDir, manager, 0.1)) {
            OrpoTrainer trainer = new OrpoTrainer(model, config, rows, List.of(), dir.resolve("cut"), "tiny");
            TrainResult r = trainer.resume(checkpoint);
            assertEquals(6, r.step());
            assertFalse(r.cancelled());
            assertEquals(6, r.logHistory().size());
            assertClose(uninterrupted, OrpoTrainerTest.host(model), 1e-6);
        }
        try (LlamaModel model = SyntheticRun.model(baseDir, manager, 0.1)) {
            OrpoTrainer other = new OrpoTrainer(model, config, rows.subList(0, 10), List.of(), dir.resolve("x"),
                    "tiny");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.resume(checkpoint));
            assertTrue(e.getMessage().contains("train rows 12"), e.getMessage());
        }
        return uninterrupted;
    }

    @Test
    void eightBitOptimizerStatesResumeBitForBitThroughTheCheckpoint() {
        // rank 32: the mlp factors (32 x 128, 128 x 32) reach bitsandbytes' 4096-value minimum and keep 8-bit moments
        List<PreferencePair> rows = SyntheticRun.TRAIN.subList(0, 8);
        TrainerConfig config = SyntheticRun.fast().with("per_device_train_batch_size", "2")
                .with("gradient_accumulation_steps", "1").with("max_steps", "4").with("optim", "paged_adamw_8bit");
        Path baseDir = SyntheticRun.base(dir);
        Map<String, float[]> uninterrupted;
        try (LlamaModel model = SyntheticRun.model(baseDir, manager, 0.0, 32)) {
            new OrpoTrainer(model, config, rows, List.of(), dir.resolve("full8"), "tiny").train();
            uninterrupted = OrpoTrainerTest.host(model);
        }
        Path checkpoint;
        try (LlamaModel model = SyntheticRun.model(baseDir, manager, 0.0, 32)) {
            int[] updates = {0};
            OrpoTrainer trainer = new OrpoTrainer(model, config, rows, List.of(), dir.resolve("cut8"), "tiny");
            trainer.addListener(new TrainerListener() {
                @Override
                public void onLog(StepLog log) {
                    updates[0] = log.step();
                }
            });
            checkpoint = trainer.cancelWhen(() -> updates[0] >= 2).train().finalCheckpoint();
        }
        OptimizerState saved = Checkpoints.readOptimizer(checkpoint);
        assertEquals(AdamW8bit.NAME, saved.optim());
        String down = "base_model.model.model.layers.0.mlp.down_proj.lora_A.weight";
        assertEquals(dev.orpo.model.io.DType.U8, saved.tensor("exp_avg." + down).dtype(), "8-bit codes on disk");
        assertEquals(dev.orpo.model.io.DType.F32, saved.tensor("absmax2." + down).dtype());
        try (LlamaModel model = SyntheticRun.model(baseDir, manager, 0.0, 32)) {
            new OrpoTrainer(model, config, rows, List.of(), dir.resolve("cut8"), "tiny").resume(checkpoint);
            assertClose(uninterrupted, OrpoTrainerTest.host(model), 0.0);
        }
        try (LlamaModel model = SyntheticRun.model(baseDir, manager, 0.0, 32)) {
            OrpoTrainer fp32 = new OrpoTrainer(model, config.with("optim", "adamw_torch"), rows, List.of(),
                    dir.resolve("x8"), "tiny");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fp32.resume(checkpoint));
            assertTrue(e.getMessage().contains("adamw_8bit"), e.getMessage());
        }
    }

    private Map<String, float[]> trainAdapter(TrainerConfig config, List<PreferencePair> rows, String name,
                                              List<StepLog> logs) {
        try (LlamaModel model = SyntheticRun.model(SyntheticRun.base(dir), manager, 0.0)) {
            OrpoTrainer trainer = new OrpoTrainer(model, config.with("max_steps", "2"), rows, List.of(),
                    dir.resolve(name), "tiny");
            trainer.addListener(new TrainerListener() {
                @Override
                public void onLog(StepLog log) {
                    logs.add(log);
                }
            });
            assertEquals(2, trainer.train().step());
            return OrpoTrainerTest.host(model);
        }
    }

    static void assertClose(Map<String, float[]> expected, Map<String, float[]> actual, double tol) {
        double worst = StepRun.maxDiff(expected, actual);
        assertTrue(worst <= tol, "max |difference| " + worst + " > " + tol);
    }
}
