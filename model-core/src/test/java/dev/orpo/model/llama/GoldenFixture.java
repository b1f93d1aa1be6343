package dev.orpo.model.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.io.TensorSource;
import dev.orpo.model.io.CheckpointReader;
import dev.orpo.model.lora.PeftAdapter;
import dev.orpo.model.lora.PeftAdapterFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One golden fixture directory written by {@code make_llama_golden.py}: an HF model dir (config.json, safetensors
 * F32/BF16, possibly sharded), a PEFT adapter and {@code golden.json}, read with the production readers.
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
            config = HfConfigReader.read(dir);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read golden fixture " + name, e);
        }
    }

    /** The model weights (all shards), through the production checkpoint reader. */
    CheckpointReader weights() {
        return CheckpointReader.open(dir);
    }

    /** The adapter tensors under their PEFT names, through the production adapter reader. */
    PeftAdapter adapter() {
        return PeftAdapterFiles.read(dir);
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
