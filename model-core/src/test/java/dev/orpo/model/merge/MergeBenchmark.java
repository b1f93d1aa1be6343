package dev.orpo.model.merge;

import dev.orpo.model.io.CheckpointReader;
import dev.orpo.model.io.DType;
import dev.orpo.model.io.SafetensorsFile;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.lora.PeftAdapterConfig;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Merge throughput and peak heap on a generated multi-shard BF16 model (~310 MB, 4 shards), next to a plain copy of
 * the same shard files in the same run. Usage (see docs/benchmarks.md): {@code MergeBenchmark [workDir]}.
 */
public final class MergeBenchmark {
    private MergeBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path work = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir") + "/orpo-merge-bench");
        delete(work);
        // vocab 32000, hidden 1024, ffn 2816, 8 layers, 16 heads / 4 kv heads: ~155M parameters, ~310 MB in bf16
        LlamaConfig config = SyntheticModel.config(32000, 1024, 2816, 8, 16, 4, "bfloat16");
        Path base = work.resolve("base");
        Path adapter = work.resolve("adapter");
        long t0 = System.nanoTime();
        SyntheticModel.writeBase(base, config, DType.BF16, 100_000_000L);
        List<String> targets = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
        SyntheticModel.writeAdapter(adapter, new PeftAdapterConfig(16, 32, 0.05, targets, false, List.of(), "synthetic"),
                SyntheticModel.lora(config, 16, targets));
        System.out.printf(Locale.ROOT, "generated base + adapter in %.1f s%n", (System.nanoTime() - t0) / 1e9);

        long baseBytes;
        long largest = 0;
        try (CheckpointReader r = CheckpointReader.open(base)) {
            baseBytes = 0;
            for (SafetensorsFile f : r.shards()) {
                baseBytes += Files.size(f.path());
            }
            for (String n : r.names()) {
                largest = Math.max(largest, r.info(n).numel() * 4);
            }
            System.out.printf(Locale.ROOT, "base: %d tensors in %d shards, %.1f MB; largest tensor as fp32 %.1f MB%n",
                    r.names().size(), r.shards().size(), baseBytes / 1e6, largest / 1e6);
        }

        // plain copy of the same shard files: the I/O floor
        Path copy = Files.createDirectories(work.resolve("copy"));
        long cpuC0 = cpuNanos();
        long c0 = System.nanoTime();
        try (Stream<Path> files = Files.list(base)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".safetensors")).toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        double copySec = (System.nanoTime() - c0) / 1e9;
        double copyCpu = (cpuNanos() - cpuC0) / 1e9;

        System.gc();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        long cpuM0 = cpuNanos();
        long m0 = System.nanoTime();
        MergeResult result = AdapterMerger.merge(base, adapter, work.resolve("merged"), MergeOptions.defaults()
                .withMaxShardBytes(100_000_000L));
        double mergeSec = (System.nanoTime() - m0) / 1e9;
        double mergeCpu = (cpuNanos() - cpuM0) / 1e9;
        long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();

        System.out.printf(Locale.ROOT, "copy : %.1f MB in %.2f s = %.0f MB/s (process CPU %.2f s)%n",
                baseBytes / 1e6, copySec, baseBytes / 1e6 / copySec, copyCpu);
        System.out.printf(Locale.ROOT, "merge: %.1f MB in %.2f s = %.0f MB/s (process CPU %.2f s; %d tensors, %d LoRA"
                        + " modules r=16, %s, %d shards)%n", result.tensorBytes() / 1e6, mergeSec,
                result.tensorBytes() / 1e6 / mergeSec, mergeCpu, result.tensors(), result.loraModules(),
                result.dtype(), result.files().size());
        System.out.printf(Locale.ROOT, "load average at end: %.1f%n",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf(Locale.ROOT, "peak heap during merge: %.0f MB (sum of heap pool peaks; -Xmx %.0f MB,"
                + " threads %d)%n", peak / 1e6, Runtime.getRuntime().maxMemory() / 1e6,
                Runtime.getRuntime().availableProcessors());
        delete(work);
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
