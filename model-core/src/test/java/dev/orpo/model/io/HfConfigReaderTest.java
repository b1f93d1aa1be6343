package dev.orpo.model.io;

import dev.orpo.model.llama.HfConfigWriter;

import dev.orpo.model.llama.HfConfigReader;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.model.llama.LlamaConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HfConfigReaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Meta-Llama-3.1-8B-Instruct's config.json. */
    static final String LLAMA31 = """
            {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
             "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "hidden_act": "silu",
             "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 14336,
             "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama",
             "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "pretraining_tp": 1,
             "rms_norm_eps": 1e-05, "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0,
             "high_freq_factor": 4.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
             "rope_theta": 500000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
             "transformers_version": "4.43.0.dev0", "use_cache": true, "vocab_size": 128256}""";

    static LlamaConfig parse(String json) throws IOException {
        return HfConfigReader.parse(JSON.readTree(json), "config.json");
    }

    static String with(String json, String key, Object value) throws IOException {
        ObjectNode o = (ObjectNode) JSON.readTree(json);
        o.set(key, JSON.valueToTree(value));
        return o.toString();
    }

    static String without(String json, String key) throws IOException {
        ObjectNode o = (ObjectNode) JSON.readTree(json);
        o.remove(key);
        return o.toString();
    }

    @Test
    void llama31ConfigReadsEveryField() throws IOException {
        LlamaConfig c = parse(LLAMA31);
        assertEquals("LlamaForCausalLM", c.architecture());
        assertEquals(128256, c.vocabSize());
        assertEquals(4096, c.hiddenSize());
        assertEquals(14336, c.intermediateSize());
        assertEquals(32, c.numHiddenLayers());
        assertEquals(8, c.numKeyValueHeads());
        assertEquals(128, c.headDim());
        assertEquals(1e-5, c.rmsNormEps());
        assertEquals(500000.0, c.ropeTheta());
        assertEquals(new LlamaConfig.RopeScaling("llama3", 8.0, 1.0, 4.0, 8192), c.ropeScaling());
        assertEquals(131072, c.maxPositionEmbeddings());
        assertEquals(List.of(128001, 128008, 128009), c.eosTokenIds());
        assertEquals(128000, c.bosTokenId());
        assertNull(c.padTokenId());
        assertEquals("bfloat16", c.torchDtype());
        assertFalse(c.attentionBias());
    }

    @Test
    void olderRopeScalingKeyTypeAndTransformers5DtypeAreAccepted() throws IOException {
        String json = LLAMA31.replace("\"rope_type\": \"llama3\"", "\"type\": \"llama3\"")
                .replace("\"torch_dtype\"", "\"dtype\"");
        LlamaConfig c = parse(json);
        assertEquals("llama3", c.ropeScaling().type());
        assertEquals("bfloat16", c.torchDtype());
    }

    @Test
    void llama2DefaultsFollowTransformers() throws IOException {
        LlamaConfig c = parse("""
                {"architectures": ["LlamaForCausalLM"], "hidden_size": 4096, "intermediate_size": 11008,
                 "num_attention_heads": 32, "num_hidden_layers": 32, "vocab_size": 32000, "bos_token_id": 1,
                 "eos_token_id": 2, "rope_scaling": null, "torch_dtype": "float16"}""");
        assertEquals(32, c.numKeyValueHeads());
        assertEquals(128, c.headDim());
        assertEquals(10000.0, c.ropeTheta());
        assertEquals(1e-6, c.rmsNormEps());
        assertEquals(2048, c.maxPositionEmbeddings());
        assertEquals(List.of(2), c.eosTokenIds());
        assertNull(c.ropeScaling());
        assertEquals("float16", c.torchDtype());
    }

    @Test
    void qwen2HasAttentionBiasAndMistralReads() throws IOException {
        LlamaConfig qwen = parse("""
                {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 896,
                 "intermediate_size": 4864, "num_attention_heads": 14, "num_hidden_layers": 24,
                 "num_key_value_heads": 2, "vocab_size": 151936, "tie_word_embeddings": true,
                 "rope_theta": 1000000.0, "eos_token_id": 151645, "use_sliding_window": false}""");
        assertTrue(qwen.attentionBias());
        assertTrue(qwen.tieWordEmbeddings());
        assertEquals(64, qwen.headDim());
        assertEquals(32768, qwen.maxPositionEmbeddings());
        LlamaConfig mistral = parse("""
                {"architectures": ["MistralForCausalLM"], "hidden_size": 4096, "intermediate_size": 14336,
                 "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
                 "vocab_size": 32768, "sliding_window": null, "head_dim": 128}""");
        assertFalse(mistral.attentionBias());
        assertEquals(4, mistral.groupSize());
    }

    @Test
    void unknownArchitectureListsTheSupportedOnes() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse(with(LLAMA31, "architectures", List.of("GPT2LMHeadModel"))));
        assertTrue(e.getMessage().contains("GPT2LMHeadModel") && e.getMessage().contains("LlamaForCausalLM")
                && e.getMessage().contains("Qwen2ForCausalLM"), e.getMessage());
    }

    @Test
    void otherRopeTypesAreRejected() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse(LLAMA31.replace("\"rope_type\": \"llama3\"", "\"rope_type\": \"yarn\"")));
        assertTrue(e.getMessage().contains("yarn"), e.getMessage());
    }

    @Test
    void inconsistentHeadCountsNameTheFields() throws IOException {
        IllegalArgumentException kv = assertThrows(IllegalArgumentException.class,
                () -> parse(with(LLAMA31, "num_key_value_heads", 5)));
        assertTrue(kv.getMessage().contains("num_attention_heads") && kv.getMessage().contains("num_key_value_heads"),
                kv.getMessage());
        IllegalArgumentException h = assertThrows(IllegalArgumentException.class,
                () -> parse(with(LLAMA31, "hidden_size", 4100)));
        assertTrue(h.getMessage().contains("hidden_size") && h.getMessage().contains("num_attention_heads"),
                h.getMessage());
    }

    @Test
    void missingOrMistypedFieldsAreNamed() throws IOException {
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
                () -> parse(without(LLAMA31, "vocab_size")));
        assertTrue(m.getMessage().contains("vocab_size"), m.getMessage());
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class,
                () -> parse(with(LLAMA31, "num_hidden_layers", "32")));
        assertTrue(t.getMessage().contains("num_hidden_layers"), t.getMessage());
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class,
                () -> parse(with(LLAMA31, "torch_dtype", "int8")));
        assertTrue(d.getMessage().contains("torch_dtype"), d.getMessage());
    }

    @Test
    void writtenConfigReadsBackEqual(@TempDir Path dir) throws IOException {
        LlamaConfig c = parse(LLAMA31);
        HfConfigWriter.write(dir, c);
        assertEquals(c, HfConfigReader.read(dir));
        var gen = JSON.readTree(dir.resolve("generation_config.json").toFile());
        assertEquals(128000, gen.get("bos_token_id").asInt());
        assertEquals(3, gen.get("eos_token_id").size());
        var cfg = JSON.readTree(Files.readString(dir.resolve("config.json")));
        assertEquals("llama", cfg.get("model_type").asText());
        assertEquals("bfloat16", cfg.get("torch_dtype").asText());
        LlamaConfig qwen = parse("""
                {"architectures": ["Qwen2ForCausalLM"], "hidden_size": 64, "intermediate_size": 128,
                 "num_attention_heads": 4, "num_hidden_layers": 2, "num_key_value_heads": 2, "vocab_size": 100,
                 "eos_token_id": 3, "tie_word_embeddings": true, "torch_dtype": "float32"}""");
        HfConfigWriter.write(dir, qwen);
        assertEquals(qwen, HfConfigReader.read(dir.resolve("config.json")));
    }
}
