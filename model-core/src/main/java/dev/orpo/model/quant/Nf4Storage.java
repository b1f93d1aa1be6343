package dev.orpo.model.quant;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.lora.FrozenWeight;
import dev.orpo.model.lora.WeightStorage;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Loads each frozen linear projection as an {@link Nf4Weight} ({@code load_in_4bit} with
 * {@code bnb_4bit_quant_type="nf4"}): quantized on the host straight from the checkpoint's fp32 values, so one fp32
 * copy of one weight is the loading peak. Pass to {@code PretrainedLlama.load(…, WeightStorage)}; one instance may serve
 * several loads (it keeps one small code-book pair per model manager).
 */
public final class Nf4Storage implements WeightStorage {
    private final Nf4Config config;
    private final Map<NDManager, Nf4Lookup> lookups = new IdentityHashMap<>();

    public Nf4Storage(Nf4Config config) {
        this.config = config;
    }

    @Override
    public synchronized FrozenWeight create(NDManager manager, String name, float[] values, long out, long in) {
        Nf4Tensor q;
        try {
            q = Nf4Codec.quantize(values, new long[] {out, in}, config);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tensor " + name + ": " + e.getMessage(), e);
        }
        // one code-book pair per model manager; the manager closes it with the model
        Nf4Lookup lookup = lookups.computeIfAbsent(manager, Nf4Lookup::new);
        return new Nf4Weight(manager, q, lookup);
    }

    public Nf4Config config() {
        return config;
    }
}
