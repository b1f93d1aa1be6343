package dev.orpo.model.io;

import dev.orpo.model.llama.WeightShapes;

import dev.orpo.model.llama.LlamaConfig;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightShapesTest {

    static LlamaConfig tiny(boolean bias, boolean tied) {
        return new LlamaConfig(bias ? "Qwen2ForCausalLM" : "LlamaForCausalLM", 50, 16, 24, 2, 4, 2, 4, 1e-5,
                10000, null, 64, tied, bias, 1, List.of(2), null, "float32");
    }

    /** A TensorSource with shapes only. */
    record Shapes(Map<String, long[]> map) implements TensorSource {
        public Set<String> names() {
            return map.keySet();
        }

        public long[] shape(String name) {
            return map.get(name);
        }

        public float[] readFloats(String name) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void llamaShapesFollowTransformersNaming() {
        Map<String, long[]> e = WeightShapes.expected(tiny(false, false));
        assertEquals(1 + 2 * 9 + 2, e.size());
        assertArrayEquals(new long[]{50, 16}, e.get("model.embed_tokens.weight"));
        assertArrayEquals(new long[]{16, 16}, e.get("model.layers.0.self_attn.q_proj.weight"));
        assertArrayEquals(new long[]{8, 16}, e.get("model.layers.1.self_attn.k_proj.weight"));
        assertArrayEquals(new long[]{16, 16}, e.get("model.layers.1.self_attn.o_proj.weight"));
        assertArrayEquals(new long[]{16, 24}, e.get("model.layers.1.mlp.down_proj.weight"));
        assertArrayEquals(new long[]{50, 16}, e.get("lm_head.weight"));
    }

    @Test
    void qwen2AddsQkvBiasAndTiedModelsHaveNoLmHead() {
        Map<String, long[]> e = WeightShapes.expected(tiny(true, true));
        assertArrayEquals(new long[]{8}, e.get("model.layers.0.self_attn.v_proj.bias"));
        assertFalse(e.containsKey("lm_head.weight"));
        assertFalse(e.containsKey("model.layers.0.self_attn.o_proj.bias"));
    }

    @Test
    void validateReportsWrongShapesMissingAndUnexpectedTensors() {
        LlamaConfig c = tiny(false, false);
        Map<String, long[]> actual = new HashMap<>(WeightShapes.expected(c));
        assertTrue(WeightShapes.validate(c, new Shapes(actual)).isEmpty());
        actual.put("model.layers.0.mlp.up_proj.weight", new long[]{24, 17});
        actual.remove("model.norm.weight");
        actual.put("model.layers.2.mlp.up_proj.weight", new long[]{24, 16});
        List<String> errors = WeightShapes.validate(c, new Shapes(actual));
        assertEquals(3, errors.size(), errors.toString());
        assertTrue(errors.stream().anyMatch(s -> s.contains("model.layers.0.mlp.up_proj.weight")
                && s.contains("[24, 17]") && s.contains("[24, 16]")), errors.toString());
        assertTrue(errors.stream().anyMatch(s -> s.startsWith("missing tensor model.norm.weight")), errors.toString());
        assertTrue(errors.stream().anyMatch(s -> s.startsWith("unexpected tensor model.layers.2")), errors.toString());
    }
}
