package dev.orpo.stages.demo;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Times the demo base model's warm-up (the first {@link DemoWarmup} pass: both orders, batch 32, on the standard demo
 * model) in this JVM and prints wall and process CPU time. Run it once per thread count
 * ({@code -Dai.djl.pytorch.num_threads=N}, docs/benchmarks.md#demo).
 */
public final class DemoWarmupBenchmark {
    private DemoWarmupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        Path dir = Files.createTempDirectory("demo-warmup-bench");
        DemoAssets.Spec spec = DemoAssets.Spec.standard();
        Path random = DemoAssets.writeModel(dir.resolve("random"), spec);
        DemoAssets.Warmup w = spec.warmup();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        DemoWarmup.pass(random, dir.resolve("out"), dir.resolve("work"), steps, w.learningRate(), w.batchSize(), 0.5,
                spec.seed(), Set.of());
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpuSeconds = (os.getProcessCpuTime() - cpu) / 1e9;
        System.out.printf(Locale.ROOT, "demo warm-up: threads %s, %d steps of %d questions: %.1f s wall (%.2f s/step), "
                        + "%.1f s process CPU, load average %.1f%n", System.getProperty("ai.djl.pytorch.num_threads", "2"),
                steps, w.batchSize(), wall, wall / steps, cpuSeconds, os.getSystemLoadAverage());
    }
}
