package dev.orpo.bench;

import dev.orpo.model.io.DType;
import dev.orpo.model.io.FileTrees;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.llama.WeightShapes;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.LoraTarget;
import dev.orpo.model.lora.PeftAdapterFiles;
import dev.orpo.model.lora.PeftKeys;
import dev.orpo.model.merge.AdapterMerger;
import dev.orpo.model.merge.MergeOptions;
import dev.orpo.model.merge.MergeResult;
import dev.orpo.model.synthetic.SyntheticLlama;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * {@code orpo bench merge}: the streaming LoRA merge ({@link AdapterMerger}) of a generated Llama-shaped BF16 model
 * (vocab 32000, hidden 1024, MLP 2816, 8 layers, 16 / 4 heads: 75 tensors, ≈ 311 MB in shards of ≤ 100 MB) with a
 * rank-16 adapter on all seven projections of every layer, written back as BF16 in ≤ 100 MB shards; next to a plain
 * copy of the same shard files. The copy and the merge run in a child JVM with a capped heap, which reports the peak
 * heap during the merge (the sum of the heap pools' peaks: an upper bound) and its process CPU time.
 */
public final class MergeBench {
    static final long SHARD_BYTES = 100_000_000L;

    /** What the child measured. */
    public record Result(long baseBytes, double copySeconds, double mergeSeconds, double mergeCpuSeconds,
                         long mergedBytes, int tensors, int loraModules, int files, long peakHeapBytes,
                         long maxHeapBytes) {
    }

    private MergeBench() {
    }

    /** Generates the model and adapter under {@code work}, measures in a child JVM, prints, cleans up. */
    public static Result run(Path work, String heap, PrintWriter out) throws IOException {
        FileTrees.deleteRecursively(work);
        LlamaConfig c = SyntheticLlama.config(32000, 1024, 8, 16, 4, 2816);
        c = new LlamaConfig(c.architecture(), c.vocabSize(), c.hiddenSize(), c.intermediateSize(),
                c.numHiddenLayers(), c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(), c.rmsNormEps(),
                c.ropeTheta(), c.ropeScaling(), c.maxPositionEmbeddings(), c.tieWordEmbeddings(), c.attentionBias(),
                c.bosTokenId(), c.eosTokenIds(), c.padTokenId(), "bfloat16");
        long t0 = System.nanoTime();
        SyntheticLlama.write(work.resolve("base"), c, 1, DType.BF16, SHARD_BYTES);
        LoraConfig lora = new LoraConfig(16, 32, 0.05, EnumSet.allOf(LoraTarget.class), false, 1);
        PeftAdapterFiles.write(work.resolve("adapter"), lora.toPeft(List.of(), "synthetic"), factors(c, 16));
        out.printf(Locale.ROOT, "orpo bench merge: generated a BF16 base (vocab %d, hidden %d, MLP %d, %d layers, %d "
                        + "/ %d heads) and an r16 adapter on all 7 projections in %.1f s; load average %s%n",
                c.vocabSize(), c.hiddenSize(), c.intermediateSize(), c.numHiddenLayers(), c.numAttentionHeads(),
                c.numKeyValueHeads(), (System.nanoTime() - t0) / 1e9, ProcStats.loadAverages());
        out.flush();
        try {
            Result r = ChildJvm.run(MergeBench.class, List.of("-Xmx" + heap), 0, List.of(work.toString()),
                    Result.class, line -> { });
            out.printf(Locale.ROOT, "copy : %.1f MB in %.2f s = %.0f MB/s%n", r.baseBytes() / 1e6, r.copySeconds(),
                    r.baseBytes() / 1e6 / r.copySeconds());
            out.printf(Locale.ROOT, "merge: %.1f MB in %.2f s = %.0f MB/s (process CPU %.2f s; %d tensors, %d LoRA "
                            + "modules, BF16, %d shards)%n", r.mergedBytes() / 1e6, r.mergeSeconds(),
                    r.mergedBytes() / 1e6 / r.mergeSeconds(), r.mergeCpuSeconds(), r.tensors(), r.loraModules(),
                    r.files());
            out.printf(Locale.ROOT, "peak heap during the merge: %.0f MB (sum of the heap pools' peaks; -Xmx %.0f MB); "
                    + "load average at the end: %s%n", r.peakHeapBytes() / 1e6, r.maxHeapBytes() / 1e6,
                    ProcStats.loadAverages());
            out.flush();
            return r;
        } finally {
            FileTrees.deleteRecursively(work);
        }
    }

    /** LoRA factors with B ≠ 0 (a fresh adapter's B is zero, which would make the merge a copy). */
    static Map<String, FloatTensor> factors(LlamaConfig c, int r) {
        SplittableRandom rng = new SplittableRandom(2);
        Map<String, long[]> shapes = WeightShapes.expected(c);
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            for (LoraTarget t : LoraTarget.values()) {
                String module = "model.layers." + l + "." + t.path();
                long[] w = shapes.get(module + ".weight"); // (out, in)
                m.put(PeftKeys.loraA(module), uniform(rng, r, w[1]));
                m.put(PeftKeys.loraB(module), uniform(rng, w[0], r));
            }
        }
        return m;
    }

    private static FloatTensor uniform(SplittableRandom rng, long rows, long cols) {
        FloatTensor t = FloatTensor.zeros(rows, cols);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (rng.nextDouble() * 0.2 - 0.1);
        }
        return t;
    }

    /** The child: copy, then merge, under its own heap limit. */
    public static void main(String[] args) throws IOException {
        Path work = Path.of(args[0]);
        Path base = work.resolve("base");
        Path copy = Files.createDirectories(work.resolve("copy"));
        long baseBytes = 0;
        long c0 = System.nanoTime();
        try (Stream<Path> files = Files.list(base)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
                baseBytes += Files.size(f);
            }
        }
        double copySeconds = (System.nanoTime() - c0) / 1e9;
        System.gc();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long m0 = System.nanoTime();
        MergeResult merged = AdapterMerger.merge(base, work.resolve("adapter"), work.resolve("merged"),
                MergeOptions.defaults().withMaxShardBytes(SHARD_BYTES));
        double mergeSeconds = (System.nanoTime() - m0) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        ChildJvm.printResult(new Result(baseBytes, copySeconds, mergeSeconds, cpu, merged.tensorBytes(),
                merged.tensors(), merged.loraModules(), merged.files().size(), peak, Runtime.getRuntime().maxMemory()));
    }
}
