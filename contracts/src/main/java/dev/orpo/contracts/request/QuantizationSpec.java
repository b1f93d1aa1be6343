package dev.orpo.contracts.request;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * How the frozen base weights are stored during training.
 *
 * @param mode        {@code none} (fp32 on CPU) or {@code nf4} (QLoRA, the seed's BitsAndBytesConfig: frozen
 *                    projections stored as 4-bit NormalFloat, dequantized to fp32 per matmul). Default {@code none}:
 *                    on this CPU-only fp32 build NF4 saves resident memory but costs step time (see
 *                    docs/benchmarks.md), so it is opt-in.
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
