package dev.orpo.model.io;

import java.util.Locale;

/**
 * Safetensors element types. Floating types convert to and from fp32 in Java ({@link HalfFloats});
 * integer and boolean types are only available as raw little-endian bytes.
 */
public enum DType {
    F64(8, true, "float64"),
    F32(4, true, "float32"),
    F16(2, true, "float16"),
    BF16(2, true, "bfloat16"),
    I64(8, false, "int64"),
    I32(4, false, "int32"),
    I16(2, false, "int16"),
    I8(1, false, "int8"),
    U8(1, false, "uint8"),
    BOOL(1, false, "bool");

    private final int size;
    private final boolean floating;
    private final String torchName;

    DType(int size, boolean floating, String torchName) {
        this.size = size;
        this.floating = floating;
        this.torchName = torchName;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** Whether {@code readFloats} can widen it to fp32. */
    public boolean isFloating() {
        return floating;
    }

    /** The name PyTorch and config.json's {@code torch_dtype} use, e.g. {@code bfloat16}. */
    public String torchName() {
        return torchName;
    }

    /** Parses a safetensors header dtype ({@code "BF16"}); IllegalArgumentException naming it otherwise. */
    public static DType fromSafetensors(String name) {
        try {
            return valueOf(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unsupported safetensors dtype '" + name + "'");
        }
    }

    /**
     * Parses an output dtype as users and config.json write it: {@code float16|bfloat16|float32} (also
     * {@code fp16}, {@code bf16}, {@code fp32}, {@code F16}, ...).
     */
    public static DType fromTorchName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace("torch.", "");
        switch (n) {
            case "float32": case "fp32": case "f32": case "float": return F32;
            case "float16": case "fp16": case "f16": case "half": return F16;
            case "bfloat16": case "bf16": return BF16;
            default: throw new IllegalArgumentException(
                    "unknown dtype '" + name + "' (expected float16, bfloat16 or float32)");
        }
    }
}
