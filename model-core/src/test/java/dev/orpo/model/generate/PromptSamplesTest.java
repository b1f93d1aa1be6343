package dev.orpo.model.generate;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.synthetic.SyntheticChatTokenizer;
import dev.orpo.model.text.ChatMessage;
import dev.orpo.model.text.HfTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptSamplesTest {
    private static final List<String> PROMPTS = List.of("what color is the sky ?", "sort 3 1 2", "hello world");

    @TempDir
    static Path dir;
    private static NDManager manager;
    private static LlamaModel model;
    private static HfTokenizer tokenizer;

    @BeforeAll
    static void load() throws Exception {
        manager = NDManager.newBaseManager();
        model = GoldenModels.tuned("llama3-gqa-f32", manager);
        tokenizer = HfTokenizer.load(SyntheticChatTokenizer.write(dir.resolve("tokenizer")));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
        model.close();
        manager.close();
    }

    @Test
    void greedyRepliesEqualANoCacheRecomputeRunOfTheRenderedPrompt() {
        PromptSamples samples = new PromptSamples(model, tokenizer, manager);
        GenerationConfig config = new GenerationConfig(10, Set.of(), SamplingConfig.GREEDY);
        List<PromptSample> replies = samples.generate(PROMPTS, config);
        assertEquals(PROMPTS.size(), replies.size());
        GenerationConfig withStops = new GenerationConfig(10, PromptSamples.stopIds(model.config(), tokenizer),
                SamplingConfig.GREEDY);
        for (int i = 0; i < PROMPTS.size(); i++) {
            int[] ids = samples.promptIds(List.of(ChatMessage.user(PROMPTS.get(i))));
            GenerationResult reference;
            try (Decoder d = new RecomputeDecoder(model, manager)) {
                reference = Generator.generate(d, ids, withStops, t -> { });
            }
            PromptSample s = replies.get(i);
            assertEquals(PROMPTS.get(i), s.prompt());
            assertArrayEquals(reference.tokens(), s.tokens(), PROMPTS.get(i));
            assertEquals(reference.reason(), s.stopReason());
            assertEquals(tokenizer.decode(reference.tokens(), true), s.reply());
        }
        assertTrue(replies.stream().anyMatch(s -> s.tokens().length > 0), "some prompt got a non-empty reply");
    }

    @Test
    void promptsAreRenderedWithTheChatTemplateAndOneBosInFront() {
        int[] ids = new PromptSamples(model, tokenizer, manager).promptIds(List.of(ChatMessage.user("hello world")));
        int imStart = tokenizer.tokenToId("<|im_start|>").getAsInt();
        int[] expected = {1, imStart, tokenizer.tokenToId("user").getAsInt(), tokenizer.tokenToId("hello").getAsInt(),
                tokenizer.tokenToId("world").getAsInt(), tokenizer.tokenToId("<|im_end|>").getAsInt(), imStart,
                tokenizer.tokenToId("assistant").getAsInt()};
        assertArrayEquals(expected, ids);
        assertArrayEquals(ids, PromptSamples.withBos(tokenizer, ids), "BOS is not doubled");
    }

    @Test
    void stopIdsAreTheConfigAndTokenizerEosPlusEndOfTurnTokensInTheVocabulary() {
        assertEquals(Set.of(2, tokenizer.tokenToId("<|im_end|>").getAsInt()),
                PromptSamples.stopIds(model.config(), tokenizer));
    }

    @Test
    void seededSamplingGivesTheSameRepliesForTheSameSeed() {
        PromptSamples samples = new PromptSamples(model, tokenizer, manager);
        List<String> prompt = List.of("the cat sat on the mat");
        String[] bySeed = new String[3];
        long[] seeds = {5, 5, 6};
        for (int i = 0; i < 3; i++) {
            var config = new GenerationConfig(24, Set.of(), new SamplingConfig(3.0, 0, 1.0, seeds[i]));
            bySeed[i] = java.util.Arrays.toString(samples.generate(prompt, config).get(0).tokens());
        }
        assertEquals(bySeed[0], bySeed[1]);
        assertNotEquals(bySeed[0], bySeed[2]);
    }

    @Test
    void aTokenizerLargerThanTheModelFailsNamingTheToken() {
        try (HfTokenizer bigger = tokenizer.withAddedSpecialTokens(List.of("<|extra|>"))) {
            PromptSamples samples = new PromptSamples(model, bigger, manager);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> samples.generate(List.of("<|extra|> hello"), new GenerationConfig(4, Set.of(),
                            SamplingConfig.GREEDY)));
            assertTrue(e.getMessage().contains("<|extra|>") && e.getMessage().contains("64"), e.getMessage());
        }
    }
}
