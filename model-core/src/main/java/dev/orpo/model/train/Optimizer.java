package dev.orpo.model.train;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/**
 * What {@link OrpoTrainer} needs of an optimizer: one update per call with the scheduled learning rate (gradients
 * zeroed afterwards: DJL's collector accumulates them), and a state that a checkpoint saves and restores exactly.
 */
public interface Optimizer extends AutoCloseable {

    /** {@code adamw_torch}: fp32 moments ({@link AdamW}); {@code adamw_8bit} / {@code paged_adamw_8bit}: 8-bit ones. */
    static Optimizer create(TrainerConfig config, Map<String, NDArray> params) {
        return config.eightBitOptimizer() ? new AdamW8bit(params, config.adam()) : new AdamW(params, config.adam());
    }

    /** The parameters updated, by name, in a stable order. */
    Map<String, NDArray> parameters();

    /** Updates applied so far. */
    long stepCount();

    /** One update of every parameter with learning rate {@code lr}, then zeroes the gradients. */
    void step(double lr);

    /** The state for a checkpoint (a copy). */
    OptimizerState exportState();

    /** Restores a state exported by the same kind of optimizer for the same parameter names and shapes. */
    void importState(OptimizerState state);

    @Override
    void close();
}
