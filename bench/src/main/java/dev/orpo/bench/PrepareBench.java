package dev.orpo.bench;

import dev.orpo.contracts.request.DatasetSpec;
import dev.orpo.model.io.FileTrees;
import dev.orpo.model.text.ChatTemplate;
import dev.orpo.model.text.HfTokenizer;
import dev.orpo.model.text.PreferenceTokenizationConfig;
import dev.orpo.model.text.PreferenceTokenizer;
import dev.orpo.stages.prepare.DatasetPreparer;
import dev.orpo.stages.prepare.PrepareOptions;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

/**
 * {@code orpo bench prepare}: dataset preparation at the seed dataset's scale, a generated Parquet file in the
 * orpo-dpo-mix-40k schema (message lists sharing the user turn, answers of ~100–500 words) through
 * {@link DatasetPreparer} with a real tokenizer and its chat template, in a child JVM with a capped heap: rows/s and
 * the peak heap (the sum of the heap pools' peaks during {@code prepare}, an upper bound).
 */
public final class PrepareBench {

    /** What the child measured. */
    public record Result(long read, long kept, long trainTokens, double seconds, long peakHeapBytes,
                         long maxHeapBytes) {
    }

    private PrepareBench() {
    }

    /** Runs {@code rows} rows through the preparer in a child JVM with {@code -Xmx heap}, forwarding its lines. */
    public static Result run(int rows, Path tokenizerDir, String heap, PrintWriter out) throws Exception {
        if (!Files.isRegularFile(tokenizerDir.resolve("tokenizer.json"))) {
            throw new IllegalArgumentException("--tokenizer: no tokenizer.json in " + tokenizerDir);
        }
        Path work = Files.createTempDirectory("orpo-bench-prepare");
        try {
            out.printf(Locale.ROOT, "orpo bench prepare: %d rows, tokenizer %s, -Xmx%s; load average %s%n", rows,
                    tokenizerDir, heap, ProcStats.loadAverages());
            out.flush();
            Result r = ChildJvm.run(PrepareBench.class, List.of("-Xmx" + heap), 0, List.of("" + rows,
                    tokenizerDir.toAbsolutePath().toString(), work.toString()), Result.class, line -> {
                        out.println(line);
                        out.flush();
                    });
            out.printf(Locale.ROOT, "prepare: %.1f s, %.0f rows/s, peak heap %.0f MB (sum of the heap pools' peaks; "
                            + "-Xmx %.0f MB); load average at the end %s%n", r.seconds(), r.read() / r.seconds(),
                    r.peakHeapBytes() / 1e6, r.maxHeapBytes() / 1e6, ProcStats.loadAverages());
            out.flush();
            return r;
        } finally {
            FileTrees.deleteRecursively(work);
        }
    }

    /** The child: {@code rows tokenizerDir workDir}. */
    public static void main(String[] args) throws Exception {
        int rows = Integer.parseInt(args[0]);
        Path tokenizerDir = Path.of(args[1]);
        Path work = Path.of(args[2]);
        Path parquet = work.resolve("orpo-dpo-mix-" + rows + ".parquet");
        long t0 = System.nanoTime();
        writeParquet(parquet, rows);
        System.out.printf(Locale.ROOT, "parquet: %d rows, %.1f MB, generated in %.1f s%n", rows,
                Files.size(parquet) / 1e6, (System.nanoTime() - t0) / 1e9);
        try (HfTokenizer tokenizer = HfTokenizer.load(tokenizerDir)) {
            var preferenceTokenizer = new PreferenceTokenizer(tokenizer, ChatTemplate.of(tokenizer),
                    PreferenceTokenizationConfig.DEFAULTS);
            var preparer = new DatasetPreparer(preferenceTokenizer, tokenizer.fingerprint(), PrepareOptions.DEFAULTS);
            System.gc();
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
            long start = System.nanoTime();
            var result = preparer.prepare(DatasetSpec.of(parquet.toString()), parquet, work.resolve("out"));
            double seconds = (System.nanoTime() - start) / 1e9;
            long peakHeap = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP).mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            System.out.printf(Locale.ROOT, "prepared: read %d, kept %d (train %d, test %d), rejected %d, filtered %s;"
                            + " train tokens %d%n", result.read(), result.kept(), result.trainRows(),
                    result.testRows(), result.rejected(), result.filtered(), result.trainTokens());
            ChildJvm.printResult(new Result(result.read(), result.kept(), result.trainTokens(), seconds, peakHeap,
                    Runtime.getRuntime().maxMemory()));
        }
    }

    /** orpo-dpo-mix-40k's columns, with deterministic text of realistic lengths. */
    static void writeParquet(Path file, int rows) throws Exception {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement()) {
            st.execute("COPY (SELECT 'source_' || (i % 7) AS source, q AS prompt, "
                    + "[{'content': q, 'role': 'user'}, {'content': 'Here is a careful answer. ' "
                    + "|| repeat('The point ' || (i % 13) || ' follows from the evidence, step by step. ', 10 + i % 40),"
                    + " 'role': 'assistant'}] AS chosen, "
                    + "[{'content': q, 'role': 'user'}, {'content': 'Not sure. ' "
                    + "|| repeat('Maybe ' || (i % 11) || ' or something else entirely. ', 5 + i % 30),"
                    + " 'role': 'assistant'}] AS rejected, q AS question "
                    + "FROM (SELECT i, 'Question ' || i || ': how does topic ' || (i * 31 % 997) "
                    + "|| ' relate to ' || (i * 17 % 503) || '? Explain.' AS q FROM range(" + rows + ") t(i))) "
                    + "TO '" + file.toAbsolutePath() + "' (FORMAT parquet)");
        }
    }
}
