package dev.orpo.model.generate;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The golden tiny HF model directories (with their PEFT adapters) shared by generation and eval tests. */
public final class GoldenModels {
    private GoldenModels() {
    }

    public static Path dir(String fixture) {
        try {
            return Path.of(GoldenModels.class.getResource("/golden/" + fixture + "/config.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fixture's base model with its adapter applied. */
    public static LlamaModel tuned(String fixture, NDManager manager) {
        Path dir = dir(fixture);
        return PretrainedLlama.load(dir, dir, manager);
    }
}
