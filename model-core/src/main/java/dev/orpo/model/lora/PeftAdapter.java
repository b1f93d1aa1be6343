package dev.orpo.model.lora;

import dev.orpo.model.io.FloatTensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A PEFT LoRA adapter held in memory: its config and its tensors under PEFT key names ({@link PeftKeys}).
 */
public record PeftAdapter(PeftAdapterConfig config, Map<String, FloatTensor> tensors) {

    public PeftAdapter {
        tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /** Adapter key → shape. */
    public Map<String, long[]> shapes() {
        Map<String, long[]> m = new LinkedHashMap<>();
        tensors.forEach((k, t) -> m.put(k, t.shape()));
        return m;
    }

    /**
     * Throws IllegalArgumentException listing every tensor that does not fit the base model (name, adapter shape,
     * expected shape), unknown target modules and unpaired factors.
     *
     * @param base           the base model's name, for the message
     * @param expectedShapes the base model's weight name → shape ({@code llama.WeightShapes.expected})
     */
    public void validateAgainst(String base, Map<String, long[]> expectedShapes) {
        List<String> problems = PeftAdapterCheck.problems(config, shapes(), expectedShapes);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("adapter does not fit base model " + base + ":\n  "
                    + String.join("\n  ", problems));
        }
    }
}
