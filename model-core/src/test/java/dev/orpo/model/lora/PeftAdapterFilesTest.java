package dev.orpo.model.lora;

import dev.orpo.model.llama.WeightShapes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.model.io.DType;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.io.SafetensorsFile;
import dev.orpo.model.llama.LlamaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeftAdapterFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;

    /** hidden 16, 4 heads of 4, 2 kv heads, ffn 24, vocab 50, 2 layers. */
    static final LlamaConfig BASE = new LlamaConfig("LlamaForCausalLM", 50, 16, 24, 2, 4, 2, 4, 1e-5, 10000, null,
            64, false, false, 1, List.of(2), null, "float32");

    static FloatTensor random(Random rnd, long... shape) {
        FloatTensor t = FloatTensor.zeros(shape);
        for (int i = 0; i < t.data().length; i++) {
            t.data()[i] = (float) rnd.nextGaussian();
        }
        return t;
    }

    static Map<String, FloatTensor> loraTensors(int r, Random rnd) {
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        for (int i = 0; i < 2; i++) {
            String q = "model.layers." + i + ".self_attn.q_proj";
            String v = "model.layers." + i + ".self_attn.v_proj";
            m.put(PeftKeys.loraA(q), random(rnd, r, 16));
            m.put(PeftKeys.loraB(q), random(rnd, 16, r));
            m.put(PeftKeys.loraA(v), random(rnd, r, 16));
            m.put(PeftKeys.loraB(v), random(rnd, 8, r));
        }
        return m;
    }

    static PeftAdapterConfig config(int r, List<String> modulesToSave) {
        return new PeftAdapterConfig(r, 16, 0.05, List.of("q_proj", "v_proj"), false, modulesToSave, "tiny-base");
    }

    @Test
    void adapterRoundTripsWithPeftKeyNames() {
        Map<String, FloatTensor> t = loraTensors(4, new Random(1));
        PeftAdapterFiles.write(dir, config(4, List.of()), t);
        PeftAdapter back = PeftAdapterFiles.read(dir);
        assertEquals(config(4, List.of()), back.config());
        assertEquals(t, back.tensors());
        assertTrue(back.tensors().containsKey("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"));
        assertTrue(back.tensors().containsKey("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight"));
        back.validateAgainst(BASE.architecture(), WeightShapes.expected(BASE));
    }

    @Test
    void modulesToSaveAreStoredUnderTheirParameterNames() {
        Map<String, FloatTensor> t = loraTensors(2, new Random(2));
        t.put(PeftKeys.savedModule("model.embed_tokens.weight"), random(new Random(3), 52, 16));
        t.put(PeftKeys.savedModule("lm_head.weight"), random(new Random(4), 52, 16));
        PeftAdapterFiles.write(dir, config(2, List.of("embed_tokens", "lm_head")), t, DType.BF16);
        try (SafetensorsFile f = PeftAdapterFiles.openWeights(dir)) {
            assertTrue(f.contains("base_model.model.model.embed_tokens.weight"));
            assertTrue(f.contains("base_model.model.lm_head.weight"));
            assertEquals(DType.BF16, f.info("base_model.model.lm_head.weight").dtype());
            assertEquals(Map.of("format", "pt"), f.metadata());
        }
        PeftAdapterFiles.read(dir).validateAgainst(BASE.architecture(), WeightShapes.expected(BASE));  // vocabulary grown 50 -> 52 on both: fits
    }

    @Test
    void configJsonHasThePeftLoraKeys() throws IOException {
        PeftAdapterFiles.write(dir, new PeftAdapterConfig(8, 32, 0.1, List.of("q_proj"), true,
                List.of("embed_tokens"), "meta-llama/Llama-3.2-1B"), Map.of());
        JsonNode c = JSON.readTree(dir.resolve("adapter_config.json").toFile());
        assertEquals("LORA", c.get("peft_type").asText());
        assertEquals("CAUSAL_LM", c.get("task_type").asText());
        assertEquals(8, c.get("r").asInt());
        assertEquals(32.0, c.get("lora_alpha").asDouble());
        assertEquals("none", c.get("bias").asText());
        assertTrue(c.get("use_rslora").asBoolean());
        assertTrue(c.get("inference_mode").asBoolean());
        assertTrue(c.get("init_lora_weights").asBoolean());
        assertEquals(false, c.get("fan_in_fan_out").asBoolean());
        assertEquals("embed_tokens", c.get("modules_to_save").get(0).asText());
        assertEquals("meta-llama/Llama-3.2-1B", c.get("base_model_name_or_path").asText());
        assertEquals(32 / Math.sqrt(8), PeftAdapterFiles.readConfig(dir).scaling(), 1e-12);
    }

    @Test
    void scalingIsAlphaOverRank() {
        assertEquals(4.0, config(4, List.of()).scaling());
    }

    @Test
    void adapterWithWrongShapesFailsNamingTensorAndBothShapes() {
        Map<String, FloatTensor> t = loraTensors(4, new Random(5));
        t.put(PeftKeys.loraB("model.layers.1.self_attn.v_proj"), random(new Random(6), 16, 4));  // v is [8, 16]
        PeftAdapter a = new PeftAdapter(config(4, List.of()), t);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.validateAgainst(BASE.architecture(), WeightShapes.expected(BASE)));
        assertTrue(e.getMessage().contains("model.layers.1.self_attn.v_proj.lora_B.weight")
                && e.getMessage().contains("[16, 4]") && e.getMessage().contains("[8, 4]")
                && e.getMessage().contains("[8, 16]"), e.getMessage());
    }

    @Test
    void adapterForMissingLayersOrUntargetedModulesFails() {
        Map<String, FloatTensor> t = loraTensors(4, new Random(7));
        t.put(PeftKeys.loraA("model.layers.5.self_attn.q_proj"), random(new Random(8), 4, 16));
        t.put(PeftKeys.loraB("model.layers.5.self_attn.q_proj"), random(new Random(8), 16, 4));
        t.put(PeftKeys.loraA("model.layers.0.mlp.up_proj"), random(new Random(9), 4, 16));
        t.put(PeftKeys.loraB("model.layers.0.mlp.up_proj"), random(new Random(9), 24, 4));
        PeftAdapter a = new PeftAdapter(config(4, List.of()), t);
        String m = assertThrows(IllegalArgumentException.class, () -> a.validateAgainst(BASE.architecture(), WeightShapes.expected(BASE))).getMessage();
        assertTrue(m.contains("model.layers.5.self_attn.q_proj.weight") && m.contains("does not have"), m);
        assertTrue(m.contains("up_proj") && m.contains("not in target_modules"), m);
    }

    @Test
    void resizedEmbeddingWithoutResizedLmHeadFails() {
        Map<String, FloatTensor> t = loraTensors(2, new Random(2));
        t.put(PeftKeys.savedModule("model.embed_tokens.weight"), random(new Random(3), 52, 16));
        PeftAdapter a = new PeftAdapter(config(2, List.of("embed_tokens")), t);
        String m = assertThrows(IllegalArgumentException.class, () -> a.validateAgainst(BASE.architecture(), WeightShapes.expected(BASE))).getMessage();
        assertTrue(m.contains("lm_head.weight") && m.contains("52"), m);
    }

    @Test
    void writingAnUnpairedFactorIsRefused() {
        Map<String, FloatTensor> t = loraTensors(4, new Random(1));
        t.remove(PeftKeys.loraB("model.layers.0.self_attn.q_proj"));
        String m = assertThrows(IllegalArgumentException.class,
                () -> PeftAdapterFiles.write(dir, config(4, List.of()), t)).getMessage();
        assertTrue(m.contains("model.layers.0.self_attn.q_proj.lora_A.weight") && m.contains("lora_B"), m);
    }

    @Test
    void unsupportedLoraVariantsAreRejectedWhenReading() throws IOException {
        PeftAdapterFiles.write(dir, config(4, List.of()), loraTensors(4, new Random(1)));
        Path cfg = dir.resolve("adapter_config.json");
        ObjectNode o = (ObjectNode) JSON.readTree(cfg.toFile());
        for (String key : List.of("use_dora", "lora_bias", "fan_in_fan_out")) {
            ObjectNode bad = o.deepCopy();
            bad.put(key, true);
            Files.writeString(cfg, bad.toString());
            String m = assertThrows(IllegalArgumentException.class, () -> PeftAdapterFiles.read(dir)).getMessage();
            assertTrue(m.contains(key), m);
        }
        ObjectNode rank = o.deepCopy();
        rank.putObject("rank_pattern").put("q_proj", 8);
        Files.writeString(cfg, rank.toString());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PeftAdapterFiles.read(dir)).getMessage()
                .contains("rank_pattern"));
    }

    @Test
    void invalidConfigValuesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> config(0, List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new PeftAdapterConfig(4, 8, 1.0, List.of("q_proj"), false, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new PeftAdapterConfig(4, 8, 0.0, List.of(), false, null, null));
    }

    @Test
    void keysParseToTheirBaseTensors() {
        PeftKeys.Key a = PeftKeys.parse("base_model.model.model.layers.3.mlp.down_proj.lora_A.weight");
        assertEquals(PeftKeys.Kind.LORA_A, a.kind());
        assertEquals("model.layers.3.mlp.down_proj.weight", a.baseTensor());
        assertEquals("down_proj", a.leaf());
        PeftKeys.Key s = PeftKeys.parse("base_model.model.lm_head.weight");
        assertEquals(PeftKeys.Kind.SAVED_MODULE, s.kind());
        assertEquals("lm_head.weight", s.baseTensor());
        assertThrows(IllegalArgumentException.class, () -> PeftKeys.parse("model.layers.0.q_proj.lora_A.weight"));
        assertArrayEquals(new long[]{2, 3}, FloatTensor.zeros(2, 3).shape());
    }
}
