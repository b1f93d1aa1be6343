package dev.orpo.model.train;

import dev.orpo.model.train.LrSchedule.Kind;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Expected values are HF's lambda formulas worked by hand for base lr 1e-3, 10 updates, 4 warmup updates. */
class LrScheduleTest {

    private static final double LR = 1e-3;

    @Test
    void linearWarmsUpThenDecaysToZero() {
        LrSchedule s = new LrSchedule(Kind.LINEAR, LR, 4, 10);
        assertEquals(0.0, s.lr(0), 1e-15);
        assertEquals(LR * 1 / 4, s.lr(1), 1e-15);
        assertEquals(LR * 3 / 4, s.lr(3), 1e-15);
        assertEquals(LR * (10 - 4) / 6.0, s.lr(4), 1e-15);
        assertEquals(LR * (10 - 7) / 6.0, s.lr(7), 1e-15);
        assertEquals(LR * 1 / 6.0, s.lr(9), 1e-15);
        assertEquals(0.0, s.lr(10), 1e-15);
        assertEquals(0.0, s.lr(12), 1e-15);
    }

    @Test
    void cosineWarmsUpThenFollowsHalfCosine() {
        LrSchedule s = new LrSchedule(Kind.COSINE, LR, 4, 10);
        assertEquals(LR * 2 / 4, s.lr(2), 1e-15);
        assertEquals(LR, s.lr(4), 1e-15);
        // step 7: progress 3/6 = 0.5 -> 0.5 (1 + cos(pi/2)) = 0.5
        assertEquals(LR * 0.5, s.lr(7), 1e-15);
        // step 5: progress 1/6 -> 0.5 (1 + cos(pi/6)) = 0.5 + sqrt(3)/4
        assertEquals(LR * (0.5 + Math.sqrt(3) / 4), s.lr(5), 1e-15);
        assertEquals(0.0, s.lr(10), 1e-15);
    }

    @Test
    void constantSchedulesIgnoreOrUseWarmup() {
        assertEquals(LR, new LrSchedule(Kind.CONSTANT, LR, 4, 10).lr(0), 0);
        LrSchedule w = new LrSchedule(Kind.CONSTANT_WITH_WARMUP, LR, 4, 10);
        assertEquals(LR * 3 / 4, w.lr(3), 1e-15);
        assertEquals(LR, w.lr(4), 0);
        assertEquals(LR, w.lr(9), 0);
    }

    @Test
    void warmupStepsBeatRatioAndRatioRoundsUp() {
        assertEquals(3, LrSchedule.warmupSteps(3, 0.5, 100));
        assertEquals(11, LrSchedule.warmupSteps(0, 0.1, 101));
        assertEquals(10, LrSchedule.warmupSteps(0, 0.1, 100));
        assertEquals(0, LrSchedule.warmupSteps(0, 0.0, 100));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupSteps(0, 1.5, 100));
    }

    @Test
    void parsesHfNamesAndRejectsUnknown() {
        assertEquals(Kind.CONSTANT_WITH_WARMUP, Kind.parse("constant_with_warmup"));
        assertEquals(Kind.COSINE, Kind.parse("cosine"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kind.parse("polynomial"));
        assertEquals(true, e.getMessage().contains("polynomial"));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(Kind.LINEAR, LR, 0, 0));
    }
}
