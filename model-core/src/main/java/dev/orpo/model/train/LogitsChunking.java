package dev.orpo.model.train;

/**
 * Whether a step's LM head runs on full (2B, T, V) logits or through {@link ChunkedHead}, from
 * {@code training.logits_chunk_size}: {@value #FULL} forces full logits, {@value #AUTO} (the default) decides by size,
 * {@code N > 0} chunks N positions at a time. Both paths give the same loss, metrics and gradients.
 *
 * <p>The rule: chunk when the full logits would exceed {@link #FULL_LOGITS_LIMIT} floats (32 MiB). That is glibc's
 * largest mmap threshold on 64-bit ({@code DEFAULT_MMAP_THRESHOLD_MAX}): libtorch's CPU allocator gets every larger
 * array from a fresh {@code mmap}, so the logits, their log-softmax and their gradients are page-faulted, zeroed by the
 * kernel and unmapped again at every step, which measured as more system than user CPU time at a 128k vocabulary
 * (docs/benchmarks.md). Below the limit the full path's arrays are recycled from the heap and its single pass over the
 * head is the cheaper one. An automatic chunk is {@link #CHUNK_LIMIT} / V positions, so each (chunk, V) array is at
 * most 16 MiB: a chunk's two or three such arrays then stay well inside the heap glibc recycles (at the 128k
 * vocabulary, 16 MiB chunks measured about half the system time of 32 MiB ones, and 64 MiB ones as much as the full
 * logits).
 */
public final class LogitsChunking {
    /** {@code logits_chunk_size: -1}: always the full logits (as TRL). */
    public static final int FULL = -1;
    /** {@code logits_chunk_size: 0}: chunk when the full logits are larger than {@link #FULL_LOGITS_LIMIT}. */
    public static final int AUTO = 0;
    /** 2^23 fp32 values = 32 MiB, glibc's maximum mmap threshold. */
    public static final long FULL_LOGITS_LIMIT = 1L << 23;
    /** 2^22 fp32 values = 16 MiB, the largest (chunk, V) array of an automatic chunk. */
    public static final long CHUNK_LIMIT = 1L << 22;

    private LogitsChunking() {
    }

    /**
     * The chunk size a step uses, 0 meaning full logits.
     *
     * @param setting   {@code logits_chunk_size}: {@link #FULL}, {@link #AUTO} or a chunk size
     * @param rows      2B, the rows of the micro-batch
     * @param length    T, tokens per row
     * @param vocabSize V, the head's output size
     */
    public static int chunkFor(int setting, long rows, long length, long vocabSize) {
        if (setting > 0) {
            return setting;
        }
        if (setting == FULL) {
            return 0;
        }
        if (setting != AUTO) {
            throw new IllegalArgumentException("logits_chunk_size must be -1 (full), 0 (auto) or > 0, got " + setting);
        }
        if (rows * length * vocabSize <= FULL_LOGITS_LIMIT) {
            return 0;
        }
        return (int) Math.max(1, CHUNK_LIMIT / vocabSize);
    }
}
