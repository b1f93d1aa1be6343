package dev.orpo.model.generate;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenSamplerTest {
    private static final float[] LOGITS = {0f, 3f, 2.9f, -1f, 2.8f, 1f};

    private static Set<Integer> drawn(SamplingConfig config, int draws) {
        TokenSampler sampler = new TokenSampler(config);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < draws; i++) {
            seen.add(sampler.pick(LOGITS));
        }
        return seen;
    }

    @Test
    void greedyPicksTheArgmax() {
        assertEquals(1, new TokenSampler(SamplingConfig.GREEDY).pick(LOGITS));
    }

    @Test
    void topKDrawsOnlyFromTheKMostLikely() {
        assertEquals(Set.of(1, 2, 4), drawn(new SamplingConfig(5.0, 3, 1.0, 11), 400));
    }

    @Test
    void topPDrawsOnlyFromTheNucleus() {
        // at temperature 1: p ≈ [.01,.33,.30,.00,.27,.04]; 0.6 is reached by tokens 1 and 2
        assertEquals(Set.of(1, 2), drawn(new SamplingConfig(1.0, 0, 0.6, 5), 400));
    }

    @Test
    void withoutFiltersEveryTokenCanBeDrawn() {
        assertTrue(drawn(new SamplingConfig(50.0, 0, 1.0, 3), 2000).containsAll(Set.of(0, 1, 2, 3, 4, 5)));
    }
}
