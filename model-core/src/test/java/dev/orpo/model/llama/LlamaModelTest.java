package dev.orpo.model.llama;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.lora.WeightStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.orpo.model.llama.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of the model outside numerical parity: padding, loading errors, embedding resize. */
class LlamaModelTest {
    static NDManager manager;
    static final long[][] SEQS = {{1, 5, 9, 13, 17, 21, 25}, {1, 40, 41}, {1, 30, 2, 11, 12}};

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static LlamaModel tiny(boolean tied) {
        LlamaConfig c = TinyLlama.config(tied);
        return PretrainedLlama.load(c, TinyLlama.weights(c, 11), manager, WeightStorage.DENSE);
    }

    /** Log-probs of one sequence run alone (no padding). */
    static float[] alone(LlamaModel model, long[] seq) {
        NDArray ids = manager.create(new long[][] {seq});
        NDArray mask = ids.onesLike();
        return NextTokens.logProbs(model, ids, Attention.padded(mask)).toFloatArray();
    }

    /** Pads to the longest sequence, on the right or the left; returns {ids, mask}. */
    static NDArray[] padded(boolean left) {
        int t = Arrays.stream(SEQS).mapToInt(s -> s.length).max().orElseThrow();
        long[][] ids = new long[SEQS.length][t];
        long[][] mask = new long[SEQS.length][t];
        for (int b = 0; b < SEQS.length; b++) {
            int offset = left ? t - SEQS[b].length : 0;
            for (int j = 0; j < SEQS[b].length; j++) {
                ids[b][offset + j] = SEQS[b][j];
                mask[b][offset + j] = 1;
            }
        }
        return new NDArray[] {manager.create(ids), manager.create(mask)};
    }

    @Test
    void rightPaddedBatchGivesSameLogProbsAsEachSequenceAlone() {
        try (LlamaModel model = tiny(false); NDScope ignored = new NDScope()) {
            NDArray[] batch = padded(false);
            NDArray logps = NextTokens.logProbs(model, batch[0], Attention.padded(batch[1]));
            for (int b = 0; b < SEQS.length; b++) {
                float[] row = logps.get(b).toFloatArray();
                float[] expected = alone(model, SEQS[b]);
                assertClose(expected, Arrays.copyOf(row, expected.length), 1e-5, "sequence " + b);
            }
        }
    }

    @Test
    void leftPaddedBatchWithMaskDerivedPositionsGivesSameLogProbsAsEachSequenceAlone() {
        try (LlamaModel model = tiny(true); NDScope ignored = new NDScope()) {
            NDArray[] batch = padded(true);
            NDArray logps = NextTokens.logProbs(model, batch[0], Attention.padded(batch[1]));
            for (int b = 0; b < SEQS.length; b++) {
                float[] row = logps.get(b).toFloatArray();
                float[] expected = alone(model, SEQS[b]);
                float[] tail = Arrays.copyOfRange(row, row.length - expected.length, row.length);
                assertClose(expected, tail, 1e-5, "sequence " + b);
            }
        }
    }

    @Test
    void positionIdsCountOnlyRealTokens() {
        try (NDScope ignored = new NDScope()) {
            NDArray mask = manager.create(new long[][] {{1, 1, 1, 0}, {0, 0, 1, 1}});
            assertArrayEquals(new long[] {0, 1, 2, 2, 0, 0, 0, 1}, Attention.padded(mask).positionIds().toLongArray());
        }
    }

    @Test
    void loadingNamesAMissingTensor() {
        LlamaConfig c = TinyLlama.config(false);
        Map<String, FloatTensor> w = new LinkedHashMap<>(TinyLlama.weights(c, 1).tensors());
        w.remove("model.layers.1.mlp.up_proj.weight");
        var e = assertThrows(IllegalArgumentException.class,
                () -> PretrainedLlama.load(c, new GoldenFixture.MapTensorSource(w), manager, WeightStorage.DENSE));
        assertTrue(e.getMessage().contains("model.layers.1.mlp.up_proj.weight"), e.getMessage());
    }

    @Test
    void loadingNamesATensorWithTheWrongShape() {
        LlamaConfig c = TinyLlama.config(false);
        Map<String, FloatTensor> w = new LinkedHashMap<>(TinyLlama.weights(c, 1).tensors());
        w.put("model.layers.0.self_attn.k_proj.weight", new FloatTensor(new long[] {16, 16}, new float[256]));
        var e = assertThrows(IllegalArgumentException.class,
                () -> PretrainedLlama.load(c, new GoldenFixture.MapTensorSource(w), manager, WeightStorage.DENSE));
        assertTrue(e.getMessage().contains("model.layers.0.self_attn.k_proj.weight")
                && e.getMessage().contains("[16, 16]") && e.getMessage().contains("[8, 16]"), e.getMessage());
    }

    @Test
    void resizedEmbeddingsAppendTheMeanOfOldRowsAndTrainBothTables() {
        try (LlamaModel model = tiny(false); NDScope ignored = new NDScope()) {
            float[] oldEmbed = model.embedding().weight().toFloatArray();
            model.resizeTokenEmbeddings(52);
            assertEquals(52, model.config().vocabSize());
            float[] embed = model.embedding().weight().toFloatArray();
            assertArrayEquals(oldEmbed, Arrays.copyOf(embed, oldEmbed.length), "old rows kept");
            for (int col = 0; col < 16; col++) {
                double mean = 0;
                for (int row = 0; row < 50; row++) {
                    mean += oldEmbed[row * 16 + col] / 50.0;
                }
                assertEquals(mean, embed[50 * 16 + col], 1e-5, "new row 50, column " + col);
                assertEquals(mean, embed[51 * 16 + col], 1e-5, "new row 51, column " + col);
            }
            assertEquals(List.of(TrainableTensors.EMBED_KEY, TrainableTensors.LM_HEAD_KEY),
                    List.copyOf(TrainableTensors.export(model).keySet()));
            NDArray ids = manager.create(new long[][] {{1, 51, 7}});
            NDArray mask = ids.onesLike();
            assertEquals(new ai.djl.ndarray.types.Shape(1, 3, 52),
                    model.logits(ids, Attention.padded(mask)).getShape());
        }
    }

    @Test
    void resizedTiedEmbeddingsTrainOneSharedTable() {
        try (LlamaModel model = tiny(true); NDScope ignored = new NDScope()) {
            model.resizeTokenEmbeddings(51);
            assertEquals(List.of(TrainableTensors.EMBED_KEY), List.copyOf(TrainableTensors.export(model).keySet()));
            assertEquals(51, model.lmHead().weight().getShape().get(0));
        }
    }

    @Test
    void resizedEmbeddingReceivesGradientOnlyInRowsOfUsedTokens() {
        try (LlamaModel model = tiny(true); NDScope ignored = new NDScope()) {
            model.resizeTokenEmbeddings(51);
            NDArray ids = manager.create(new long[][] {{1, 50, 7}});
            NDArray mask = ids.onesLike();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                // hidden-state sum only reaches the table through the lookup (no LM head)
                gc.backward(model.forward(ids, Attention.padded(mask), LlamaModel.Pass.HIDDEN).sum());
            }
            float[] grad = model.embedding().weight().getGradient().toFloatArray();
            for (int row = 0; row < 51; row++) {
                double norm = 0;
                for (int col = 0; col < 16; col++) {
                    norm += Math.abs(grad[row * 16 + col]);
                }
                boolean used = row == 1 || row == 50 || row == 7;
                assertEquals(used, norm > 0, "row " + row + " gradient norm " + norm);
            }
        }
    }

    @Test
    void shrinkingEmbeddingsIsRejected() {
        try (LlamaModel model = tiny(false)) {
            var e = assertThrows(IllegalArgumentException.class, () -> model.resizeTokenEmbeddings(10));
            assertTrue(e.getMessage().contains("shrink"), e.getMessage());
        }
    }
}
