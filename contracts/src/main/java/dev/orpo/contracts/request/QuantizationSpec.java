package dev.orpo.contracts.request;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * How the frozen base weights are stored during training.
 *
 * @param mode        {@code none} (fp32 on CPU) or {@code nf4} (QLoRA, the seed's BitsAndBytesConfig: frozen
 *                    projections stored as 4-bit NormalFloat, dequantized to fp32 per matmul). Default {@code none}:
 *                    exact base weights; NF4 holds the projections in 0.13 of the fp32 bytes but loads slower,
 *                    steps a little slower on CPU and perturbs the base (docs/benchmarks.md), so it is opt-in.
 * @param doubleQuant quantize the NF4 block scales too (the seed's bnb_4bit_use_double_quant=True)
 * @param blockSize   NF4 block size (values per absmax scale); 64 as bitsandbytes; a power of two ≥ 2
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record QuantizationSpec(String mode, Boolean doubleQuant, Integer blockSize) {
    public static final String NONE = "none";
    public static final String NF4 = "nf4";

    public QuantizationSpec {
        mode = mode == null ? NONE : mode;
        doubleQuant = doubleQuant == null ? Boolean.TRUE : doubleQuant;
        blockSize = blockSize == null ? 64 : blockSize;
    }

    public static QuantizationSpec defaults() {
        return new QuantizationSpec(null, null, null);
    }
}
