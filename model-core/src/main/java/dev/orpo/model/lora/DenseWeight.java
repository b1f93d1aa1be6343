package dev.orpo.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;

/** A frozen fp32 weight held as one NDArray [out, in]; it never requires a gradient. */
public final class DenseWeight implements FrozenWeight {
    private final NDArray weight;

    public DenseWeight(NDArray weight) {
        if (weight.getShape().dimension() != 2) {
            throw new IllegalArgumentException("linear weight must be 2-D [out, in], got " + weight.getShape());
        }
        weight.setRequiresGradient(false);
        this.weight = weight;
    }

    @Override
    public NDArray apply(NDArray x) {
        return Linear.linear(x, weight).singletonOrThrow();
    }

    @Override
    public long inFeatures() {
        return weight.getShape().get(1);
    }

    @Override
    public long outFeatures() {
        return weight.getShape().get(0);
    }

    @Override
    public long bytesHeld() {
        return weight.size() * weight.getDataType().getNumOfBytes();
    }

    /** The underlying array (read-only use: e.g. merging or tests). */
    public NDArray array() {
        return weight;
    }

    @Override
    public void close() {
        weight.close();
    }
}
