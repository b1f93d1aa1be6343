package dev.orpo.model.train;

import dev.orpo.model.io.DType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * An optimizer's state as a checkpoint holds it in {@code optimizer.safetensors}: the update count, the optimizer's
 * {@code optim} name, and named tensors as raw little-endian bytes, so the state round-trips bit for bit.
 *
 * @param step    updates applied so far (PyTorch's {@code state['step']})
 * @param optim   {@code adamw_torch} or {@code adamw_8bit} ({@code paged_adamw_8bit} is stored as {@code adamw_8bit})
 * @param tensors by name, in the order they are written
 */
public record OptimizerState(long step, String optim, Map<String, Tensor> tensors) {

    /** One named tensor: dtype, shape and its raw little-endian bytes. */
    public record Tensor(DType dtype, long[] shape, byte[] data) {

        /** An F32 tensor of {@code values}. */
        public static Tensor floats(float[] values, long[] shape) {
            ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            return new Tensor(DType.F32, shape.clone(), b.array());
        }

        /** A U8 tensor of {@code codes}. */
        public static Tensor bytes(byte[] codes, long[] shape) {
            return new Tensor(DType.U8, shape.clone(), codes.clone());
        }

        /** The values of an F32 tensor; IllegalArgumentException naming {@code name} for any other dtype. */
        public float[] floats(String name) {
            require(DType.F32, name);
            float[] out = new float[data.length / 4];
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }

        /** The bytes of a U8 tensor (a copy). */
        public byte[] bytes(String name) {
            require(DType.U8, name);
            return data.clone();
        }

        private void require(DType expected, String name) {
            if (dtype != expected) {
                throw new IllegalArgumentException("optimizer state " + name + " is " + dtype + ", expected "
                        + expected + " (was the checkpoint written with another optim?)");
            }
        }
    }

    /** The tensor called {@code name}; IllegalArgumentException naming it when absent. */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("optimizer state lacks " + name);
        }
        return t;
    }
}
