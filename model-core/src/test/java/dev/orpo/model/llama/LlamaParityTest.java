package dev.orpo.model.llama;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.PeftAdapter;
import dev.orpo.model.tensor.ComputeDType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.orpo.model.llama.Close.assertClose;
import static dev.orpo.model.llama.GoldenFixture.floats;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Parity with the independent float64 PyTorch reference ({@code make_llama_golden.py}): GQA + llama3 rope scaling
 * (F32), tied embeddings (BF16 checkpoint), Qwen2 q/k/v bias (sharded checkpoint, rsLoRA); all on a right-padded batch.
 */
class LlamaParityTest {
    static final double TOL = 1e-4;
    static NDManager manager;

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static LlamaModel load(GoldenFixture f) {
        return PretrainedLlama.load(f.dir, manager);
    }

    static LlamaModel loadWithAdapter(GoldenFixture f) {
        return loadWithAdapter(f, manager);
    }

    /** Loads the model with the fixture's LoRA adapter (non-zero B) applied. */
    static LlamaModel loadWithAdapter(GoldenFixture f, NDManager parent) {
        LlamaModel model = PretrainedLlama.load(f.dir, parent);
        PeftAdapter adapter = f.adapter();
        adapter.validateAgainst(f.config.architecture(), WeightShapes.expected(f.config));
        model.applyLora(LoraConfig.fromPeft(adapter.config(), 7L));
        assertEquals(f.golden.get("lora").get("scaling").asDouble(), model.lora().scaling(), 1e-12);
        TrainableTensors.load(model, adapter.tensors());
        return model;
    }

    static NDArray ids(GoldenFixture f) {
        return manager.create(f.longMatrix("input_ids"));
    }

    static NDArray mask(GoldenFixture f) {
        return manager.create(f.longMatrix("attention_mask"));
    }

    static NDArray pos(GoldenFixture f) {
        return manager.create(f.longMatrix("position_ids"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3-gqa-f32", "llama-tied-bf16", "qwen2-bias-sharded"})
    void logitsMatchReference(String name) {
        GoldenFixture f = new GoldenFixture(name);
        try (LlamaModel model = load(f); NDScope ignored = new NDScope()) {
            float[] logits = model.logits(ids(f), Attention.causal(mask(f), pos(f))).toFloatArray();
            assertClose(floats(f.golden.get("logits")), logits, TOL, name + " logits");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3-gqa-f32", "llama-tied-bf16", "qwen2-bias-sharded"})
    void nextTokenLogProbsMatchReference(String name) {
        GoldenFixture f = new GoldenFixture(name);
        try (LlamaModel model = load(f); NDScope ignored = new NDScope()) {
            float[] logps = NextTokens.logProbs(model, ids(f), Attention.causal(mask(f), pos(f))).toFloatArray();
            assertClose(floats(f.golden.get("next_token_logps")), logps, TOL, name + " next-token log-probs");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3-gqa-f32", "llama-tied-bf16", "qwen2-bias-sharded"})
    void loraAdaptedLogitsMatchReference(String name) {
        GoldenFixture f = new GoldenFixture(name);
        try (LlamaModel model = loadWithAdapter(f); NDScope ignored = new NDScope()) {
            float[] logits = model.logits(ids(f), Attention.causal(mask(f), pos(f))).toFloatArray();
            assertClose(floats(f.golden.get("lora_logits")), logits, TOL, name + " LoRA logits");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3-gqa-f32", "llama-tied-bf16", "qwen2-bias-sharded"})
    void loraGradientsOfMeanNllMatchReference(String name) {
        GoldenFixture f = new GoldenFixture(name);
        try (LlamaModel model = loadWithAdapter(f); NDScope ignored = new NDScope()) {
            NDArray m = mask(f);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logps = NextTokens.logProbs(model, ids(f), Attention.causal(m, pos(f))); // (B, T-1)
                NDArray real = m.get(":, 1:").toType(ComputeDType.TYPE, false);
                NDArray loss = logps.mul(real).sum().div(real.sum()).neg();
                assertClose(new float[] {(float) f.golden.get("simple_loss").asDouble()},
                        new float[] {loss.getFloat()}, TOL, name + " loss");
                gc.backward(loss);
            }
            assertGradients(f.golden.get("simple_loss_grads"), model, name);
        }
    }

    static void assertGradients(JsonNode expected, LlamaModel model, String name) {
        var trainable = TrainableTensors.of(model);
        List<String> keys = GoldenFixture.keys(expected);
        assertEquals(keys, List.copyOf(trainable.keySet()), "trainable tensor names");
        for (String key : keys) {
            assertClose(floats(expected.get(key)), trainable.get(key).getGradient().toFloatArray(), TOL,
                    name + " gradient of " + key);
        }
    }
}
