package dev.orpo.model.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.orpo.model.llama.Attention;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.llama.TrainableTensors;
import dev.orpo.model.lora.DenseWeight;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.LoraTarget;
import dev.orpo.model.synthetic.SyntheticLlama;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A Llama loaded with NF4 projections (QLoRA storage) against the same checkpoint in fp32. */
class Nf4LlamaTest {
    @TempDir
    static Path dir;
    static Path modelDir;
    static NDManager manager;

    @BeforeAll
    static void model() {
        manager = NDManager.newBaseManager();
        // hidden 128, 2 layers, 4 heads (2 KV), FFN 256: rows of 128 / 256 inputs = whole blocks of 64
        modelDir = SyntheticLlama.write(dir.resolve("m"), SyntheticLlama.config(64, 128, 2, 4, 2, 256), 21);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static float[] logits(LlamaModel model) {
        try (NDScope ignored = new NDScope()) {
            NDArray ids = manager.create(new long[][] {{1, 4, 9, 16, 25, 36, 49, 3}, {2, 7, 1, 8, 2, 8, 1, 8}});
            NDArray mask = ids.onesLike();
            return model.logits(ids, Attention.padded(mask)).toFloatArray();
        }
    }

    static float maxAbs(float[] a) {
        float m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    @Test
    void forwardWithNf4BaseIsCloseToFp32AndOnlyProjectionsAreQuantized() {
        try (LlamaModel fp32 = PretrainedLlama.load(modelDir, manager);
             LlamaModel nf4 = PretrainedLlama.load(modelDir, manager, new Nf4Storage(Nf4Config.defaults()))) {
            float[] reference = logits(fp32);
            float[] quantized = logits(nf4);
            float diff = 0;
            for (int i = 0; i < reference.length; i++) {
                diff = Math.max(diff, Math.abs(reference[i] - quantized[i]));
            }
            float scale = maxAbs(reference);
            System.out.printf(Locale.ROOT, "NF4 vs fp32 logits: max |diff| %.4f, max |logit| %.4f%n", diff, scale);
            // 4-bit weights perturb the logits of this random (unstructured) model, measured: max |diff| 0.369 with
            // max |logit| 3.164 (12 %); the bound leaves room for platform rounding, not for a wrong code or scale
            assertTrue(diff > 0 && diff < 0.2 * scale, "max logit diff " + diff + " vs max |logit| " + scale);
            for (LoraTarget t : LoraTarget.values()) {
                assertInstanceOf(Nf4Weight.class, nf4.layers().get(0).linear(t).base(), t.toString());
                assertInstanceOf(DenseWeight.class, fp32.layers().get(0).linear(t).base(), t.toString());
            }
            // embeddings and the LM head are loaded as they are
            assertArrayEquals(fp32.embedding().weight().toFloatArray(), nf4.embedding().weight().toFloatArray());
            double ratio = (double) nf4.frozenLinearBytes() / fp32.frozenLinearBytes();
            assertTrue(ratio > 0.125 && ratio < 0.135, "NF4 / fp32 projection bytes " + ratio);
        }
    }

    @Test
    void loraOnAnNf4BaseStartsAsTheBaseAndTrainsOnlyAdapters() {
        try (LlamaModel nf4 = PretrainedLlama.load(modelDir, manager, new Nf4Storage(Nf4Config.defaults()))) {
            float[] before = logits(nf4);
            nf4.applyLora(LoraConfig.defaults());
            assertArrayEquals(before, logits(nf4), 1e-6f); // B = 0: adapters add nothing yet
            assertTrue(TrainableTensors.of(nf4).values().size() == 2 * 7 * 2, "A and B per target per layer");
        }
    }
}
