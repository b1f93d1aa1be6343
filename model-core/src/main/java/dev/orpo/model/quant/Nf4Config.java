package dev.orpo.model.quant;

/**
 * NF4 storage settings, the request's {@code quantization} section.
 *
 * @param blockSize   values per absmax scale; default 64, as bitsandbytes' quantize_4bit (the seed's QLoRA recipe).
 *                    A power of two ≥ 2, so whole blocks fill whole bytes.
 * @param doubleQuant also quantize the per-block scales to 8 bits in groups of {@link #SCALE_GROUP} (the seed's
 *                    bnb_4bit_use_double_quant=True): the scales then cost ~0.127 instead of 0.5 bits per
 *                    weight (blocks of 64); default true as the seed
 */
public record Nf4Config(int blockSize, boolean doubleQuant) {
    /** Scales per 8-bit group in double quantization; bitsandbytes fixes it at 256. */
    public static final int SCALE_GROUP = 256;

    public Nf4Config {
        if (blockSize < 2 || (blockSize & (blockSize - 1)) != 0) {
            throw new IllegalArgumentException("block_size must be a power of two ≥ 2, got " + blockSize);
        }
    }

    /** The seed's settings: blocks of 64, double quantization on. */
    public static Nf4Config defaults() {
        return new Nf4Config(64, true);
    }
}
