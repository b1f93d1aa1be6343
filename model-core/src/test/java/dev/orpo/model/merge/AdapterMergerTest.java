package dev.orpo.model.merge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orpo.model.io.CheckpointReader;
import dev.orpo.model.io.DType;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.io.HalfFloats;
import dev.orpo.model.llama.HfConfigReader;
import dev.orpo.model.llama.WeightShapes;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.lora.PeftAdapterConfig;
import dev.orpo.model.lora.PeftKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdapterMergerTest {
    @TempDir
    Path tmp;
    static final List<String> TARGETS = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
            "down_proj");
    final LlamaConfig config = SyntheticModel.config(40, 32, 48, 2, 4, 2, "float32");

    private Path base(DType dtype, long maxShard) {
        Path dir = tmp.resolve("base");
        SyntheticModel.writeBase(dir, config.withVocabSize(40), dtype, maxShard);
        return dir;
    }

    private Path adapter(PeftAdapterConfig cfg, Map<String, FloatTensor> tensors) {
        Path dir = tmp.resolve("adapter");
        SyntheticModel.writeAdapter(dir, cfg, tensors);
        return dir;
    }

    private static PeftAdapterConfig loraConfig(int r, boolean rslora, List<String> save) {
        return new PeftAdapterConfig(r, 8, 0.0, TARGETS, rslora, save, "base");
    }

    /** Checks every LoRA-targeted weight of {@code out} against the double-precision reference within tol(ref). */
    private void assertMerged(Path baseDir, Map<String, FloatTensor> lora, Path out, double scaling,
                              java.util.function.DoubleUnaryOperator tol) {
        try (CheckpointReader b = CheckpointReader.open(baseDir); CheckpointReader m = CheckpointReader.open(out)) {
            for (String key : lora.keySet()) {
                PeftKeys.Key k = PeftKeys.parse(key);
                if (k.kind() != PeftKeys.Kind.LORA_A) {
                    continue;
                }
                long[] shape = b.shape(k.baseTensor());
                FloatTensor a = lora.get(key);
                FloatTensor bb = lora.get(PeftKeys.loraB(k.module()));
                double[] ref = SyntheticModel.reference(b.readFloats(k.baseTensor()), a.data(), bb.data(),
                        (int) shape[0], (int) shape[1], a.shape()[0] > 0 ? (int) a.shape()[0] : 0, scaling);
                float[] got = m.readFloats(k.baseTensor());
                for (int i = 0; i < ref.length; i++) {
                    assertEquals(ref[i], got[i], tol.applyAsDouble(ref[i]), k.baseTensor() + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void mergedWeightsEqualBasePlusScaledLoraProduct() {
        Path base = base(DType.F32, Long.MAX_VALUE);
        Map<String, FloatTensor> lora = SyntheticModel.lora(config, 4, TARGETS);
        Path out = tmp.resolve("out");
        MergeResult r = AdapterMerger.merge(base, adapter(loraConfig(4, false, List.of()), lora), out,
                MergeOptions.defaults());
        assertEquals(DType.F32, r.dtype());
        assertEquals(2 * 7, r.loraModules());
        assertMerged(base, lora, out, 8.0 / 4, ref -> 1e-6);
        try (CheckpointReader b = CheckpointReader.open(base); CheckpointReader m = CheckpointReader.open(out)) {
            assertArrayEquals(b.readFloats("model.norm.weight"), m.readFloats("model.norm.weight"));
            assertArrayEquals(b.readFloats("lm_head.weight"), m.readFloats("lm_head.weight"));
            assertTrue(WeightShapes.validate(HfConfigReader.read(out), m).isEmpty());
        }
    }

    @Test
    void rsLoraScalesByAlphaOverSqrtRank() {
        Path base = base(DType.F32, Long.MAX_VALUE);
        Map<String, FloatTensor> lora = SyntheticModel.lora(config, 4, List.of("q_proj", "v_proj"));
        Path out = tmp.resolve("out");
        AdapterMerger.merge(base, adapter(loraConfig(4, true, List.of()), lora), out, MergeOptions.defaults());
        assertMerged(base, lora, out, 8.0 / 2, ref -> 1e-6);
    }

    @Test
    void halfPrecisionOutputsAreTheReferenceToDtypePrecision() {
        Path base = base(DType.BF16, Long.MAX_VALUE);
        Map<String, FloatTensor> lora = SyntheticModel.lora(config, 4, TARGETS);
        Path adapter = adapter(loraConfig(4, false, List.of()), lora);
        Path bf = tmp.resolve("bf16");
        MergeResult r = AdapterMerger.merge(base, adapter, bf, MergeOptions.defaults());
        assertEquals(DType.BF16, r.dtype());   // the stored dtype wins over config.json's float32
        Path out16 = tmp.resolve("bf16-out");
        AdapterMerger.merge(base, adapter, out16, MergeOptions.defaults().withOutputDtype(DType.BF16));
        assertMerged(base, lora, out16, 2.0, ref -> Math.abs(ref) * 0x1p-8 + 1e-30);   // half a bf16 ulp
        Path outF16 = tmp.resolve("f16-out");
        AdapterMerger.merge(base, adapter, outF16, MergeOptions.defaults().withOutputDtype(DType.F16));
        assertMerged(base, lora, outF16, 2.0, ref -> Math.abs(ref) * 0x1p-11 + 0x1p-25);
        try (CheckpointReader m = CheckpointReader.open(outF16)) {
            assertEquals(DType.F16, m.dtype("model.layers.0.self_attn.q_proj.weight"));
            float v = m.readFloats("model.layers.1.mlp.down_proj.weight")[3];
            assertEquals(v, HalfFloats.f16ToFloat(HalfFloats.floatToF16(v)));
        }
    }

    @Test
    void defaultDtypeIsTheBaseCheckpointDtype() throws IOException {
        Path dir = tmp.resolve("bfbase");
        SyntheticModel.writeBase(dir, SyntheticModel.config(40, 32, 48, 2, 4, 2, "bfloat16"), DType.BF16, 1 << 20);
        Path out = tmp.resolve("out");
        MergeResult r = AdapterMerger.merge(dir, adapter(loraConfig(2, false, List.of()),
                SyntheticModel.lora(config, 2, List.of("q_proj"))), out, MergeOptions.defaults());
        assertEquals(DType.BF16, r.dtype());
        JsonNode c = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertEquals("bfloat16", c.get("torch_dtype").asText());
    }

    @Test
    void shardedInputAndOutputRoundTrip() {
        Path base = base(DType.F32, 20_000);                         // several base shards
        Map<String, FloatTensor> lora = SyntheticModel.lora(config, 4, TARGETS);
        Path out = tmp.resolve("out");
        MergeResult r = AdapterMerger.merge(base, adapter(loraConfig(4, false, List.of()), lora), out,
                MergeOptions.defaults().withMaxShardBytes(30_000));
        assertTrue(r.files().size() > 1, r.files().toString());
        assertTrue(Files.exists(out.resolve("model.safetensors.index.json")));
        assertTrue(Files.exists(out.resolve(String.format("model-00001-of-%05d.safetensors", r.files().size()))));
        assertMerged(base, lora, out, 2.0, ref -> 1e-6);
    }

    @Test
    void modulesToSaveReplaceBaseTensorsAndResizeTheVocabulary() throws IOException {
        Path base = base(DType.F32, Long.MAX_VALUE);
        Map<String, FloatTensor> lora = SyntheticModel.lora(config, 2, List.of("q_proj"));
        float[] embed = SyntheticModel.values("embed", 42 * 32, 0.3f);
        float[] head = SyntheticModel.values("head", 42 * 32, 0.3f);
        lora.put(PeftKeys.savedModule("model.embed_tokens.weight"), new FloatTensor(new long[]{42, 32}, embed));
        lora.put(PeftKeys.savedModule("lm_head.weight"), new FloatTensor(new long[]{42, 32}, head));
        Path adapter = adapter(loraConfig(2, false, List.of("embed_tokens", "lm_head")), lora);
        Files.writeString(adapter.resolve("tokenizer.json"), "{\"adapter\": true}");
        Path out = tmp.resolve("out");
        MergeResult r = AdapterMerger.merge(base, adapter, out, MergeOptions.defaults());
        assertEquals(42, r.vocabSize());
        assertEquals(2, r.replacedModules());
        LlamaConfig merged = HfConfigReader.read(out);
        assertEquals(42, merged.vocabSize());
        try (CheckpointReader m = CheckpointReader.open(out)) {
            assertArrayEquals(embed, m.readFloats("model.embed_tokens.weight"));
            assertArrayEquals(head, m.readFloats("lm_head.weight"));
            assertTrue(WeightShapes.validate(merged, m).isEmpty());
        }
        assertEquals("{\"adapter\": true}", Files.readString(out.resolve("tokenizer.json")));
        assertTrue(Files.exists(out.resolve("generation_config.json")));
    }

    @Test
    void savedLmHeadOfATiedBaseIsWrittenAndUntiesTheMergedModel() throws IOException {
        LlamaConfig tied = new LlamaConfig("LlamaForCausalLM", 40, 32, 48, 2, 4, 2, 8, 1e-5, 10000, null, 256, true,
                false, 1, List.of(2), null, "float32");
        Path base = tmp.resolve("tied");
        SyntheticModel.writeBase(base, tied, DType.F32, Long.MAX_VALUE);
        Map<String, FloatTensor> lora = SyntheticModel.lora(tied, 2, List.of("q_proj"));
        float[] embed = SyntheticModel.values("embed", 42 * 32, 0.3f);
        float[] head = SyntheticModel.values("head", 42 * 32, 0.3f);
        lora.put(PeftKeys.savedModule("model.embed_tokens.weight"), new FloatTensor(new long[]{42, 32}, embed));
        lora.put(PeftKeys.savedModule("lm_head.weight"), new FloatTensor(new long[]{42, 32}, head));
        Path out = tmp.resolve("out");
        AdapterMerger.merge(base, adapter(loraConfig(2, false, List.of("embed_tokens", "lm_head")), lora), out,
                MergeOptions.defaults());
        LlamaConfig merged = HfConfigReader.read(out);
        assertFalse(merged.tieWordEmbeddings());
        assertEquals(42, merged.vocabSize());
        try (CheckpointReader m = CheckpointReader.open(out)) {
            assertArrayEquals(head, m.readFloats("lm_head.weight"));
            assertArrayEquals(embed, m.readFloats("model.embed_tokens.weight"));
            assertTrue(WeightShapes.validate(merged, m).isEmpty(), WeightShapes.validate(merged, m).toString());
        }
    }

    @Test
    void resizedLmHeadAloneOnATiedBaseIsRejected() {
        LlamaConfig tied = new LlamaConfig("LlamaForCausalLM", 40, 32, 48, 2, 4, 2, 8, 1e-5, 10000, null, 256, true,
                false, 1, List.of(2), null, "float32");
        Path base = tmp.resolve("tied");
        SyntheticModel.writeBase(base, tied, DType.F32, Long.MAX_VALUE);
        Map<String, FloatTensor> lora = SyntheticModel.lora(tied, 2, List.of("q_proj"));
        lora.put(PeftKeys.savedModule("lm_head.weight"), new FloatTensor(new long[]{42, 32},
                SyntheticModel.values("head", 42 * 32, 0.3f)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdapterMerger.merge(base,
                adapter(loraConfig(2, false, List.of("lm_head")), lora), tmp.resolve("out"), MergeOptions.defaults()));
        assertTrue(e.getMessage().contains("40 rows but lm_head.weight 42"), e.getMessage());
    }

    @Test
    void tokenizerFilesComeFromTheBaseWhenTheAdapterHasNone() throws IOException {
        Path out = tmp.resolve("out");
        AdapterMerger.merge(base(DType.F32, Long.MAX_VALUE), adapter(loraConfig(2, false, List.of()),
                SyntheticModel.lora(config, 2, List.of("q_proj"))), out, MergeOptions.defaults());
        assertEquals("{\"base\": true}", Files.readString(out.resolve("tokenizer.json")));
    }

    @Test
    void adapterForADifferentBaseFailsNamingTheTensorAndLeavesNoOutput() throws IOException {
        Path base = base(DType.F32, Long.MAX_VALUE);
        LlamaConfig other = SyntheticModel.config(40, 64, 48, 2, 4, 2, "float32");   // hidden 64, not 32
        Path adapter = adapter(loraConfig(2, false, List.of()), SyntheticModel.lora(other, 2, List.of("q_proj")));
        Path out = tmp.resolve("out");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdapterMerger.merge(base, adapter, out, MergeOptions.defaults()));
        assertTrue(e.getMessage().contains("model.layers.0.self_attn.q_proj.lora_A.weight")
                && e.getMessage().contains("[2, 64]") && e.getMessage().contains("[2, 32]"), e.getMessage());
        assertFalse(Files.exists(out));
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains("partial")));
        }
    }

    @Test
    void missingBaseTensorIsNamed() throws IOException {
        Path base = base(DType.F32, Long.MAX_VALUE);
        Path adapter = adapter(loraConfig(2, false, List.of()), SyntheticModel.lora(config, 2, List.of("q_proj")));
        // claim 3 layers in config.json while the checkpoint holds 2
        String cfg = Files.readString(base.resolve("config.json")).replace("\"num_hidden_layers\" : 2",
                "\"num_hidden_layers\" : 3");
        Files.writeString(base.resolve("config.json"), cfg);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdapterMerger.merge(base, adapter, tmp.resolve("out"), MergeOptions.defaults()));
        assertTrue(e.getMessage().contains("missing tensor model.layers.2.input_layernorm.weight"), e.getMessage());
    }

    @Test
    void nonEmptyOutputDirectoryIsRefused() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("keep.txt"), "x");
        Path base = base(DType.F32, Long.MAX_VALUE);
        Path adapter = adapter(loraConfig(2, false, List.of()), SyntheticModel.lora(config, 2, List.of("q_proj")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdapterMerger.merge(base, adapter, out, MergeOptions.defaults()));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        assertEquals("x", Files.readString(out.resolve("keep.txt")));
    }

    @Test
    void invalidOutputDtypeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> MergeOptions.defaults().withOutputDtype(DType.I64));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DType.fromTorchName("fp8"));
        assertTrue(e.getMessage().contains("fp8"), e.getMessage());
    }
}
