package dev.orpo.model.lora;

import ai.djl.ndarray.NDManager;

/**
 * How a model loader stores the frozen base weight of each linear projection: dense fp32 (the default) or quantized
 * (e.g. NF4). The loader hands over one weight's fp32 values at a time, so that copy is the load's peak.
 */
@FunctionalInterface
public interface FrozenWeights {

    /**
     * @param manager owns the native arrays of the result (closed with the model)
     * @param name    the checkpoint tensor name, for error messages
     * @param values  row-major fp32 values of W [out, in]; the callee may keep or discard the array
     */
    FrozenWeight create(NDManager manager, String name, float[] values, long out, long in);
}
