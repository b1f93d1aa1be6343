package dev.orpo.model.generate;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.generate.GenerationResult.StopReason;
import dev.orpo.model.llama.LlamaModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerationTest {
    private static final int[] PROMPT = {1, 17, 5, 42, 9, 33, 8};
    private static NDManager manager;
    private static LlamaModel model;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        model = GoldenModels.tuned("llama3-gqa-f32", manager);
    }

    @AfterAll
    static void close() {
        model.close();
        manager.close();
    }

    private static GenerationResult greedy(Decoder decoder, int maxNew, Set<Integer> stops, List<Integer> streamed) {
        try (decoder) {
            return Generator.generate(decoder, PROMPT, new GenerationConfig(maxNew, stops, SamplingConfig.GREEDY),
                    streamed::add);
        }
    }

    @Test
    void cachedLogitsEqualFullRecomputeAtEveryStep() {
        try (Decoder cached = new KvCacheDecoder(model, manager); Decoder full = new RecomputeDecoder(model, manager)) {
            float[] a = cached.prefill(PROMPT);
            float[] b = full.prefill(PROMPT);
            for (int step = 0; step < 12; step++) {
                assertEquals(a.length, b.length);
                for (int v = 0; v < a.length; v++) {
                    assertEquals(b[v], a[v], 1e-4, "step " + step + " token " + v);
                }
                int next = TokenSampler.argmax(b);
                a = cached.next(next);
                b = full.next(next);
                assertEquals(full.length(), cached.length());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3-gqa-f32", "qwen2-bias-sharded", "llama-tied-bf16"})
    void cachedGreedyGenerationEqualsFullRecomputeGreedy(String fixture) {
        try (NDManager m = NDManager.newBaseManager(); LlamaModel lm = GoldenModels.tuned(fixture, m)) {
            List<Integer> streamed = new ArrayList<>();
            GenerationConfig config = new GenerationConfig(12, Set.of(), SamplingConfig.GREEDY);
            GenerationResult cached;
            GenerationResult full;
            try (Decoder d = new KvCacheDecoder(lm, m)) {
                cached = Generator.generate(d, PROMPT, config, streamed::add);
            }
            try (Decoder d = new RecomputeDecoder(lm, m)) {
                full = Generator.generate(d, PROMPT, config, t -> { });
            }
            assertArrayEquals(full.tokens(), cached.tokens());
            assertEquals(12, cached.tokens().length);
            assertEquals(StopReason.MAX_NEW_TOKENS, cached.reason());
            assertArrayEquals(cached.tokens(), streamed.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    @Test
    void generationEndsAtTheFirstStopIdWhichIsNotStreamed() {
        int[] free = greedy(new KvCacheDecoder(model, manager), 12, Set.of(), new ArrayList<>()).tokens();
        int stop = free[4];
        int firstAt = 0;
        while (free[firstAt] != stop) {
            firstAt++;
        }
        List<Integer> streamed = new ArrayList<>();
        GenerationResult r = greedy(new KvCacheDecoder(model, manager), 12, Set.of(stop, 999), streamed);
        assertEquals(StopReason.STOP_TOKEN, r.reason());
        assertEquals(stop, r.stopId());
        assertEquals(firstAt, r.tokens().length);
        assertArrayEquals(java.util.Arrays.copyOf(free, firstAt), r.tokens());
        assertFalse(streamed.contains(stop));
    }

    @Test
    void topKOneEqualsGreedyWhateverTheTemperature() {
        int[] greedy = greedy(new KvCacheDecoder(model, manager), 16, Set.of(), new ArrayList<>()).tokens();
        for (long seed : new long[] {1, 2}) {
            var config = new GenerationConfig(16, Set.of(), new SamplingConfig(1.7, 1, 1.0, seed));
            try (Decoder d = new KvCacheDecoder(model, manager)) {
                assertArrayEquals(greedy, Generator.generate(d, PROMPT, config, t -> { }).tokens());
            }
        }
    }

    @Test
    void seededSamplingIsReproducibleAndSeedsDiffer() {
        int[][] bySeed = new int[3][];
        long[] seeds = {7, 7, 8};
        for (int i = 0; i < 3; i++) {
            var config = new GenerationConfig(16, Set.of(), new SamplingConfig(2.0, 0, 1.0, seeds[i]));
            try (Decoder d = new KvCacheDecoder(model, manager)) {
                bySeed[i] = Generator.generate(d, PROMPT, config, t -> { }).tokens();
            }
        }
        assertArrayEquals(bySeed[0], bySeed[1]);
        assertNotEquals(java.util.Arrays.toString(bySeed[0]), java.util.Arrays.toString(bySeed[2]));
    }

    @Test
    void generationStopsWhenTheContextIsFull() {
        int max = model.config().maxPositionEmbeddings();
        int[] prompt = new int[max - 3];
        java.util.Arrays.fill(prompt, 5);
        try (Decoder d = new KvCacheDecoder(model, manager)) {
            GenerationResult r = Generator.generate(d, prompt, new GenerationConfig(50, Set.of(),
                    SamplingConfig.GREEDY), t -> { });
            assertEquals(StopReason.CONTEXT_FULL, r.reason());
            assertEquals(3, r.tokens().length);
        }
        assertThrows(IllegalArgumentException.class, () -> new SamplingConfig(-1, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingConfig(1, 0, 0, 0));
        assertTrue(new SamplingConfig(0, 0, 1, 0).greedy());
    }
}
