package dev.orpo.stages.prepare;

/**
 * Output layout knobs of {@link DatasetPreparer}.
 *
 * @param rowsPerShard pairs per shard file; 10,000 keeps a shard of 1k-token pairs around 100 MB of JSON text, small
 *                     enough to load whole, few enough files for orpo-dpo-mix-40k (4 train shards)
 */
public record PrepareOptions(int rowsPerShard) {

    public static final PrepareOptions DEFAULTS = new PrepareOptions(10_000);

    public PrepareOptions {
        if (rowsPerShard < 1) {
            throw new IllegalArgumentException("rowsPerShard must be >= 1, got " + rowsPerShard);
        }
    }
}
