package dev.orpo.contracts.request;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * How the frozen base weights are stored during training.
 *
 * @param mode        {@code none} (fp32 on CPU) or {@code nf4} (QLoRA, the seed's BitsAndBytesConfig). Default
 *                    {@code none}: NF4 storage is not implemented yet and a run that asks for it fails with a clear
 *                    RunFailed instead of silently training unquantized.
 * @param doubleQuant quantize the NF4 block scales too (the seed's bnb_4bit_use_double_quant=True)
 * @param blockSize   NF4 block size; 64 as bitsandbytes
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
