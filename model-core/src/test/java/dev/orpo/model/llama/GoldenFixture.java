package dev.orpo.model.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.io.TensorSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One golden fixture directory written by {@code make_llama_golden.py}: an HF model dir (config.json, safetensors
 * F32/BF16, possibly sharded), a PEFT adapter and {@code golden.json}. Contains a deliberately minimal test-only
 * safetensors/config reader; the production reader is model-io's.
 */
final class GoldenFixture {
    static final ObjectMapper JSON = new ObjectMapper();
    final Path dir;
    final JsonNode golden;
    final LlamaConfig config;

    GoldenFixture(String name) {
        try {
            dir = Path.of(GoldenFixture.class.getResource("/golden/" + name + "/golden.json").toURI()).getParent();
            golden = JSON.readTree(dir.resolve("golden.json").toFile());
            config = parseConfig(JSON.readTree(dir.resolve("config.json").toFile()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read golden fixture " + name, e);
        }
    }

    static LlamaConfig parseConfig(JsonNode c) {
        String arch = c.get("architectures").get(0).asText();
        LlamaConfig.RopeScaling scaling = null;
        JsonNode s = c.get("rope_scaling");
        if (s != null && !s.isNull()) {
            scaling = new LlamaConfig.RopeScaling(s.get("rope_type").asText(), s.get("factor").asDouble(),
                    s.get("low_freq_factor").asDouble(), s.get("high_freq_factor").asDouble(),
                    s.get("original_max_position_embeddings").asInt());
        }
        boolean bias = arch.startsWith("Qwen2") || c.path("attention_bias").asBoolean(false);
        return new LlamaConfig(arch, c.get("vocab_size").asInt(), c.get("hidden_size").asInt(),
                c.get("intermediate_size").asInt(), c.get("num_hidden_layers").asInt(),
                c.get("num_attention_heads").asInt(), c.get("num_key_value_heads").asInt(), c.get("head_dim").asInt(),
                c.get("rms_norm_eps").asDouble(), c.get("rope_theta").asDouble(), scaling,
                c.get("max_position_embeddings").asInt(), c.get("tie_word_embeddings").asBoolean(), bias,
                c.get("bos_token_id").asInt(), List.of(c.get("eos_token_id").asInt()), c.get("pad_token_id").asInt(),
                c.get("torch_dtype").asText());
    }

    /** The model weights (all shards). */
    TensorSource weights() {
        Path index = dir.resolve("model.safetensors.index.json");
        Map<String, FloatTensor> all = new LinkedHashMap<>();
        try {
            if (Files.exists(index)) {
                Set<String> files = new java.util.TreeSet<>();
                JSON.readTree(index.toFile()).get("weight_map").forEach(f -> files.add(f.asText()));
                for (String f : files) {
                    all.putAll(readSafetensors(dir.resolve(f)));
                }
            } else {
                all.putAll(readSafetensors(dir.resolve("model.safetensors")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new MapTensorSource(all);
    }

    /** The adapter tensors under their PEFT names. */
    Map<String, FloatTensor> adapter() {
        try {
            return readSafetensors(dir.resolve("adapter_model.safetensors"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, FloatTensor> readSafetensors(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen = (int) buf.getLong(0);
        JsonNode header = JSON.readTree(new String(buf.array(), 8, headerLen, java.nio.charset.StandardCharsets.UTF_8));
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode t = e.getValue();
            long[] shape = new long[t.get("shape").size()];
            int n = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.get("shape").get(i).asLong();
                n *= (int) shape[i];
            }
            int start = 8 + headerLen + t.get("data_offsets").get(0).asInt();
            float[] data = new float[n];
            String dtype = t.get("dtype").asText();
            for (int i = 0; i < n; i++) {
                data[i] = switch (dtype) {
                    case "F32" -> buf.getFloat(start + 4 * i);
                    case "BF16" -> Float.intBitsToFloat((buf.getShort(start + 2 * i) & 0xFFFF) << 16);
                    default -> throw new IllegalArgumentException("test reader: unsupported dtype " + dtype);
                };
            }
            out.put(e.getKey(), new FloatTensor(shape, data));
        }
        return out;
    }

    long[][] longMatrix(String field) {
        return longMatrix(golden.get(field));
    }

    static long[][] longMatrix(JsonNode rows) {
        long[][] out = new long[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new long[rows.get(i).size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = rows.get(i).get(j).asLong();
            }
        }
        return out;
    }

    static float[] floats(JsonNode values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values.get(i).asDouble();
        }
        return out;
    }

    /** An in-memory TensorSource. */
    record MapTensorSource(Map<String, FloatTensor> tensors) implements TensorSource {
        @Override
        public Set<String> names() {
            return tensors.keySet();
        }

        @Override
        public long[] shape(String name) {
            return get(name).shape();
        }

        @Override
        public float[] readFloats(String name) {
            return get(name).data().clone();
        }

        private FloatTensor get(String name) {
            FloatTensor t = tensors.get(name);
            if (t == null) {
                throw new IllegalArgumentException("no tensor " + name);
            }
            return t;
        }
    }

    static Map<String, FloatTensor> copy(Map<String, FloatTensor> m) {
        return new HashMap<>(m);
    }

    static List<String> keys(JsonNode obj) {
        List<String> out = new ArrayList<>();
        obj.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
