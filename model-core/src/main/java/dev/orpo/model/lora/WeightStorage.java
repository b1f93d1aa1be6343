package dev.orpo.model.lora;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.orpo.model.tensor.HostArrays;

/**
 * How a model loader stores the {@link FrozenWeight} of each linear projection: dense fp32 ({@link #DENSE}, the
 * default) or quantized (e.g. NF4). The loader hands over one weight's fp32 values at a time, so that copy is the
 * load's peak.
 */
@FunctionalInterface
public interface WeightStorage {
    /** Dense fp32 weights, as the checkpoint holds them (widened). */
    WeightStorage DENSE = (manager, name, values, out, in) ->
            new DenseWeight(HostArrays.floats(manager, values, new Shape(out, in)));

    /**
     * @param manager owns the native arrays of the result (closed with the model)
     * @param name    the checkpoint tensor name, for error messages
     * @param values  row-major fp32 values of W [out, in]; the callee may keep or discard the array
     */
    FrozenWeight create(NDManager manager, String name, float[] values, long out, long in);
}
