package dev.orpo.model.train;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.LoraTarget;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default {@code logits_chunk_size: 0} chunks large logits only, and trains what the full logits train. */
class LogitsChunkingTest {
    @TempDir
    Path dir;

    @Test
    void fullLogitsUpTo32MiBAndChunksOfAtMost16MiBAbove() {
        long limit = LogitsChunking.FULL_LOGITS_LIMIT;
        assertEquals(8L * 1024 * 1024, limit, "2^23 floats = 32 MiB");
        // small vocabulary: full logits
        assertEquals(0, LogitsChunking.chunkFor(LogitsChunking.AUTO, 16, 35, 64));
        // exactly at the limit: still full
        assertEquals(0, LogitsChunking.chunkFor(LogitsChunking.AUTO, 8, 1024, 1024));
        // the 128k-vocabulary point (8 pairs of 35-token rows): 71.8 M floats, chunks of 32 positions
        int chunk = LogitsChunking.chunkFor(LogitsChunking.AUTO, 16, 35, 128_256);
        assertEquals(32, chunk);
        assertTrue(chunk * 128_256L <= LogitsChunking.CHUNK_LIMIT);
        // the Llama-shaped point (2 pairs of 192 tokens, vocab 32,000): 24.6 M floats, chunks of 131
        assertEquals(131, LogitsChunking.chunkFor(LogitsChunking.AUTO, 4, 192, 32_000));
        // a vocabulary beyond 2^23 still gets one position per chunk
        assertEquals(1, LogitsChunking.chunkFor(LogitsChunking.AUTO, 2, 2, 10_000_000));
    }

    @Test
    void anExplicitSettingWins() {
        assertEquals(0, LogitsChunking.chunkFor(LogitsChunking.FULL, 16, 35, 128_256), "-1 forces full logits");
        assertEquals(7, LogitsChunking.chunkFor(7, 2, 4, 64), "a chunk size is used as given");
        var e = assertThrows(IllegalArgumentException.class, () -> LogitsChunking.chunkFor(-2, 2, 4, 64));
        assertTrue(e.getMessage().contains("logits_chunk_size"), e.getMessage());
        assertEquals(LogitsChunking.AUTO, TrainerConfig.defaults().logitsChunkSize(), "auto is the default");
    }

    @Test
    void autoOnALargeVocabularyTrainsTheExplicitChunksAdapterAndTheFullLogitsOne() {
        List<PreferencePair> rows = SyntheticRun.TRAIN.subList(0, 8);
        int shortest = rows.stream().mapToInt(p -> Math.min(p.chosenInputIds().length,
                p.rejectedInputIds().length)).min().orElseThrow();
        int vocab = 1024;
        while (8L * shortest * vocab <= LogitsChunking.FULL_LOGITS_LIMIT) {
            vocab *= 2; // every micro-batch of 4 pairs (8 rows) above the limit, so auto chunks each one
        }
        LlamaConfig config = SyntheticLlama.config(vocab, 64, 2, 4, 2, 128);
        Path base = SyntheticLlama.write(dir.resolve("base"), config, 1);
        int expectedChunk = (int) (LogitsChunking.CHUNK_LIMIT / config.vocabSize());
        // two rows per pair, so every micro-batch's logits are (8, T, V) as the loop above sized them
        TrainerConfig tc = SyntheticRun.fast().with("max_steps", "2").with("batch_layout", "two_rows");
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, float[]> auto = train(base, config, manager, tc.with("logits_chunk_size", "0"), rows, "auto");
            Map<String, float[]> explicit = train(base, config, manager,
                    tc.with("logits_chunk_size", Integer.toString(expectedChunk)), rows, "explicit");
            Map<String, float[]> full = train(base, config, manager, tc.with("logits_chunk_size", "-1"), rows,
                    "full");
            AccumulationAndResumeTest.assertClose(explicit, auto, 0); // the same chunks: the same bits
            AccumulationAndResumeTest.assertClose(full, auto, 1e-5); // and what the full logits train,
            assertTrue(StepRun.maxDiff(full, auto) > 0,
                    "by another path: auto did not run the full logits");
        }
    }

    private Map<String, float[]> train(Path base, LlamaConfig config, NDManager manager, TrainerConfig tc,
                                       List<PreferencePair> rows, String name) {
        try (LlamaModel model = PretrainedLlama.load(base, manager)) {
            model.applyLora(new LoraConfig(8, 16, 0.1, EnumSet.allOf(LoraTarget.class), false, 3));
            new OrpoTrainer(model, tc, rows, List.of(), dir.resolve(name), "big-vocab").train();
            return OrpoTrainerTest.host(model);
        }
    }
}
