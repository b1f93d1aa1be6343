package dev.orpo.eval;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.text.HfTokenizer;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The model {@code POST /chat} talks to, kept loaded between requests: the most recently used run's merged model and
 * tokenizer. One model at a time, because a merged model is as large as its base (an 8B model in fp32 is 32 GB);
 * asking for another run closes the loaded one first. Callers are serialized: generation uses every core anyway.
 */
@ApplicationScoped
public class ChatModels {

    /** A loaded merged model. */
    public record Loaded(String runId, HfTokenizer tokenizer, NDManager manager, LlamaModel model)
            implements AutoCloseable {
        @Override
        public void close() {
            model.close();
            manager.close();
            tokenizer.close();
        }
    }

    private Loaded current;
    private int loads;

    /** Runs {@code use} with the run's model, loading it from {@code dir} unless it is the one already loaded. */
    public synchronized <T> T with(String runId, Path dir, Function<Loaded, T> use) {
        if (current == null || !current.runId().equals(runId)) {
            release();
            current = load(runId, dir);
            loads++;
        }
        return use.apply(current);
    }

    /** How many times a model was loaded since start (a reply from the loaded model does not count). */
    public synchronized int loads() {
        return loads;
    }

    private static Loaded load(String runId, Path dir) {
        NDManager manager = NDManager.newBaseManager();
        try {
            HfTokenizer tokenizer = HfTokenizer.load(dir);
            try {
                return new Loaded(runId, tokenizer, manager, PretrainedLlama.load(dir, manager));
            } catch (RuntimeException e) {
                tokenizer.close();
                throw e;
            }
        } catch (IOException e) {
            manager.close();
            throw new UncheckedIOException("run " + runId + ": cannot load the merged model: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private void release() {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    synchronized void shutdown(@Observes ShutdownEvent ev) {
        release();
    }
}
