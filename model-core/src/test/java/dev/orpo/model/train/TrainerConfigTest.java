package dev.orpo.model.train;

import dev.orpo.model.orpo.BatchLayout;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerConfigTest {

    @Test
    void totalStepsRoundUpPartialBatchesAndMaxStepsWins() {
        TrainerConfig c = TrainerConfig.defaults(); // batch 2 × accumulation 4 = 8 pairs per update
        assertEquals(13, c.totalSteps(100)); // ceil(100 / 8)
        assertEquals(26, c.with("num_train_epochs", "2").totalSteps(100));
        assertEquals(7, c.with("num_train_epochs", "0.5").totalSteps(100));
        assertEquals(5, c.with("max_steps", "5").totalSteps(100));
        assertEquals(1, c.totalSteps(1));
    }

    @Test
    void evalAndSaveStepsAreFractionsOfTheTotalOrCounts() {
        TrainerConfig c = TrainerConfig.defaults();
        assertEquals(3, c.evalEvery(13)); // ceil(0.2 · 13)
        assertEquals(500, c.saveEvery(13));
        assertEquals(7, c.with("eval_steps", "7").evalEvery(13));
        assertEquals(10, c.schedule(100).warmupSteps());
        assertEquals(5, c.with("warmup_steps", "0").with("warmup_ratio", "0.05").schedule(100).warmupSteps());
    }

    @Test
    void settingsByHfNameAreValidatedAndNamed() {
        assertEquals(1e-4, TrainerConfig.defaults().with("learning_rate", "1e-4").learningRate());
        assertEquals(LrSchedule.Kind.COSINE, TrainerConfig.defaults().with("lr_scheduler_type", "cosine")
                .lrSchedulerType());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> TrainerConfig.defaults().with("learning_rat", "1"));
        assertTrue(unknown.getMessage().contains("learning_rat"), unknown.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> TrainerConfig.defaults().with("gradient_accumulation_steps", "0"));
        assertEquals("training.gradient_accumulation_steps: must be >= 1", bad.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> TrainerConfig.defaults().with("seed", "x"));
        assertTrue(type.getMessage().contains("seed='x'"), type.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TrainerConfig.defaults().with("eval_steps", "2.5"));
        assertThrows(IllegalArgumentException.class, () -> TrainerConfig.defaults().with("adam_beta1", "1"));
    }

    @Test
    void gradientCheckpointingIsOffByDefaultAndSetByItsTransformersName() {
        assertEquals(false, TrainerConfig.defaults().gradientCheckpointing());
        assertEquals(true, TrainerConfig.defaults().with("gradient_checkpointing", "true").gradientCheckpointing());
        assertEquals(true, TrainerConfig.defaults().with("gradient_checkpointing", "true").asMap()
                .get("gradient_checkpointing"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> TrainerConfig.defaults().with("gradient_checkpointing", "sometimes"));
        assertTrue(bad.getMessage().contains("gradient_checkpointing='sometimes'"), bad.getMessage());
    }

    @Test
    void batchLayoutIsPrefixSharedByDefaultGroupingIsOffAndBothAreSetByName() {
        TrainerConfig c = TrainerConfig.defaults();
        assertEquals(BatchLayout.PREFIX_SHARED, c.batchLayout());
        assertEquals(false, c.groupByLength());
        assertEquals(BatchLayout.PACKED, c.with("batch_layout", "packed").batchLayout());
        assertEquals("two_rows", c.with("batch_layout", "two_rows").asMap().get("batch_layout"));
        assertEquals(true, c.with("group_by_length", "true").groupByLength());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> c.with("batch_layout", "stacked"));
        assertTrue(bad.getMessage().contains("training.batch_layout"), bad.getMessage());
    }
}
