package dev.orpo.model.llama;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.orpo.model.orpo.OrpoLoss;
import dev.orpo.model.orpo.OrpoOutput;
import dev.orpo.model.orpo.PreferenceBatch;
import dev.orpo.model.orpo.PreferenceCollator;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.train.MicroBatchStep;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.orpo.model.llama.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * End to end against the float64 reference's TRL ORPO: the production collator and {@link OrpoLoss} on the Java
 * model's logits give TRL's metrics and loss, and backpropagate to the reference's LoRA gradients.
 */
class OrpoGradientParityTest {
    static NDManager manager;

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3-gqa-f32", "llama-tied-bf16", "qwen2-bias-sharded"})
    void orpoMetricsLossAndLoraGradientsMatchTrlReference(String name) {
        GoldenFixture f = new GoldenFixture(name);
        JsonNode orpo = f.golden.get("orpo");
        List<PreferencePair> pairs = new ArrayList<>();
        orpo.get("pairs").forEach(p -> pairs.add(PreferencePair.ofIds(ints(p.get("prompt")), ints(p.get("chosen")),
                ints(p.get("rejected")))));
        try (LlamaModel model = LlamaParityTest.loadWithAdapter(f, manager); NDScope ignored = new NDScope()) {
            PreferenceBatch batch = PreferenceCollator.withPad(orpo.get("pad_token_id").asLong())
                    .collate(pairs, manager);
            JsonNode expectedBatch = orpo.get("batch");
            assertArrayEquals(flat(expectedBatch.get("input_ids")), batch.inputIds().toLongArray(), "input ids");
            assertArrayEquals(flat(expectedBatch.get("labels")), batch.labels().toLongArray(), "labels");
            OrpoOutput out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.logits(batch.inputIds(), batch.attention());
                out = OrpoLoss.compute(logits, batch, orpo.get("beta").asDouble());
                gc.backward(out.loss());
            }
            Map<String, Double> metrics = out.metrics();
            assertEquals(GoldenFixture.keys(orpo.get("metrics")), List.copyOf(metrics.keySet()), "TRL metric names");
            for (String key : metrics.keySet()) {
                assertClose(new float[] {(float) orpo.get("metrics").get(key).asDouble()},
                        new float[] {metrics.get(key).floatValue()}, LlamaParityTest.TOL, name + " " + key);
            }
            assertClose(new float[] {(float) orpo.get("loss").asDouble()}, new float[] {(float) out.lossValue()},
                    LlamaParityTest.TOL, name + " loss");
            LlamaParityTest.assertGradients(orpo.get("grads"), model, name + " ORPO");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3-gqa-f32", "llama-tied-bf16", "qwen2-bias-sharded"})
    void chunkedLmHeadGivesTrlReferenceMetricsLossAndLoraGradients(String name) {
        GoldenFixture f = new GoldenFixture(name);
        JsonNode orpo = f.golden.get("orpo");
        List<PreferencePair> pairs = new ArrayList<>();
        orpo.get("pairs").forEach(p -> pairs.add(PreferencePair.ofIds(ints(p.get("prompt")), ints(p.get("chosen")),
                ints(p.get("rejected")))));
        try (LlamaModel model = LlamaParityTest.loadWithAdapter(f, manager); NDScope ignored = new NDScope()) {
            PreferenceBatch batch = PreferenceCollator.withPad(orpo.get("pad_token_id").asLong())
                    .collate(pairs, manager);
            // 5 positions per chunk: several chunks, the last one partial for these batches
            MicroBatchStep.Result out = MicroBatchStep.run(model, batch,
                    MicroBatchStep.Options.of(orpo.get("beta").asDouble(), 1).withLogitsChunkSize(5));
            for (String key : out.metrics().keySet()) {
                assertClose(new float[] {(float) orpo.get("metrics").get(key).asDouble()},
                        new float[] {out.metrics().get(key).floatValue()}, LlamaParityTest.TOL, name + " " + key);
            }
            assertClose(new float[] {(float) orpo.get("loss").asDouble()}, new float[] {(float) out.loss()},
                    LlamaParityTest.TOL, name + " loss");
            LlamaParityTest.assertGradients(orpo.get("grads"), model, name + " chunked ORPO");
        }
    }

    private static long[] flat(JsonNode rows) {
        long[][] m = GoldenFixture.longMatrix(rows);
        return java.util.Arrays.stream(m).flatMapToLong(java.util.Arrays::stream).toArray();
    }
}
