package dev.orpo.bench;

import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.lora.LoraTarget;
import dev.orpo.model.synthetic.SyntheticLlama;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ModelFlopsTest {
    private static final LlamaConfig LLAMA_POINT = SyntheticLlama.config(32000, 1024, 4, 16, 4, 2816);

    @Test
    void allLinearLoraOnAFrozenBaseMatchesTheClosedForm() {
        long t = 192;
        ModelFlops f = ModelFlops.perToken(LLAMA_POINT, 16, EnumSet.allOf(LoraTarget.class), t, false, false);

        double c = 1024;
        double kv = 4 * 64;
        double ffn = 2816;
        double layers = 4;
        double perLayer = c * c + 2 * c * kv + c * c + 3 * c * ffn; // q, k, v, o, gate, up, down weights
        double qkv = c * c + 2 * c * kv;
        double loraPerLayer = 16 * ((c + c) + 2 * (c + kv) + (c + c) + 3 * (c + ffn)); // r·(in + out) summed
        assertEquals(2 * layers * perLayer, f.baseForward(), 1e-6);
        // every input gradient but layer 0's q/k/v, whose input (the frozen embedding's output) needs none
        assertEquals(2 * layers * perLayer - 2 * qkv, f.baseBackward(), 1e-6);
        // 6 per LoRA weight (forward 2, weight gradient 2, input gradient 2) less layer 0's q/k/v input gradients
        assertEquals(6 * layers * loraPerLayer - 3 * 2 * 16 * c, f.lora(), 1e-6);
        assertEquals(12 * layers * 16 * 64 * t, f.attention(), 1e-6); // PaLM's 12·L·H·D·T
        assertEquals(4 * c * 32000, f.head(), 1e-6);
        // 324.6 M: the ≈ 330 MFLOP/token estimated for this point, less layer 0's input gradients
        assertEquals(324.6e6, f.total(), 0.1e6);
    }

    @Test
    void withoutLoraOnAttentionLayerZeroAttentionNeedsNoBackward() {
        LlamaConfig tiny = SyntheticLlama.config(64, 64, 1, 4, 2, 128);
        ModelFlops mlpOnly = ModelFlops.perToken(tiny, 8, EnumSet.of(LoraTarget.DOWN), 10, false, false);

        assertEquals(4 * 64 * 10, mlpOnly.attention(), 1e-9, "forward only: nothing before down_proj trains");
        // only down_proj's LoRA trains, and its input (the MLP activation) needs no gradient
        assertEquals(2 * 8 * (128 + 64) + 2 * 8 * 64 + 2 * 8 * 64 + 2 * 8 * 128, mlpOnly.lora(), 1e-9);
        assertEquals(0, mlpOnly.baseBackward(), 1e-9);
    }

    @Test
    void aTrainedEmbeddingAndHeadAddTheirGradients() {
        LlamaConfig tiny = SyntheticLlama.config(64, 64, 1, 4, 2, 128);
        ModelFlops frozen = ModelFlops.perToken(tiny, 8, EnumSet.allOf(LoraTarget.class), 10, false, false);
        ModelFlops trained = ModelFlops.perToken(tiny, 8, EnumSet.allOf(LoraTarget.class), 10, true, true);

        double qkv = 64 * 64 + 2 * 64 * 32;
        assertEquals(frozen.baseBackward() + 2 * qkv, trained.baseBackward(), 1e-9);
        assertEquals(frozen.head() + 2 * 64 * 64, trained.head(), 1e-9);
    }
}
