package dev.orpo.model.merge;

import dev.orpo.model.io.DType;
import dev.orpo.model.io.ShardedCheckpointWriter;

/**
 * How to write a merged model.
 *
 * @param outputDtype   F16, BF16 or F32; null keeps the dtype the base weights are stored in, so the merged model
 *                      is the same size and loads the same way as the base
 * @param maxShardBytes largest shard; default 5 GB, transformers' {@code max_shard_size} default
 */
public record MergeOptions(DType outputDtype, long maxShardBytes) {

    public MergeOptions {
        if (outputDtype != null && outputDtype != DType.F16 && outputDtype != DType.BF16 && outputDtype != DType.F32) {
            throw new IllegalArgumentException("merge output dtype must be float16, bfloat16 or float32, got "
                    + outputDtype.torchName());
        }
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
        }
    }

    /** Base dtype, 5 GB shards. */
    public static MergeOptions defaults() {
        return new MergeOptions(null, ShardedCheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
    }

    public MergeOptions withOutputDtype(DType dtype) {
        return new MergeOptions(dtype, maxShardBytes);
    }

    public MergeOptions withMaxShardBytes(long bytes) {
        return new MergeOptions(outputDtype, bytes);
    }
}
