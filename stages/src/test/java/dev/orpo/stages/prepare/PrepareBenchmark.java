package dev.orpo.stages.prepare;

import dev.orpo.contracts.request.DatasetSpec;
import dev.orpo.model.text.ChatTemplate;
import dev.orpo.model.text.HfTokenizer;
import dev.orpo.model.text.PreferenceTokenizationConfig;
import dev.orpo.model.text.PreferenceTokenizer;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * Preparation at the seed dataset's scale: a generated 40k-row Parquet file in the orpo-dpo-mix-40k schema (message
 * lists sharing the user turn, answers of ~100–500 words) through {@link DatasetPreparer} with the real Llama 3
 * tokenizer and its chat template. Prints rows/s and the peak heap (sum of the heap pools' peaks).
 *
 * <p>Args: {@code [rows=40000] [tokenizerDir=model-core/target/npm-fixtures/llama3/package/models] [workDir]}.
 */
public final class PrepareBenchmark {
    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 40_000;
        Path tokenizerDir = Path.of(args.length > 1 ? args[1] : "model-core/target/npm-fixtures/llama3/package/models");
        Path work = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("prepare-bench");
        Path parquet = work.resolve("orpo-dpo-mix-" + rows + ".parquet");
        long t0 = System.nanoTime();
        writeParquet(parquet, rows);
        double genSeconds = (System.nanoTime() - t0) / 1e9;

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
            System.out.printf("parquet: %d rows, %.1f MB, generated in %.1f s%n", rows,
                    Files.size(parquet) / 1e6, genSeconds);
            System.out.printf("prepared: read %d, kept %d (train %d, test %d), rejected %d, filtered %s%n",
                    result.read(), result.kept(), result.trainRows(), result.testRows(), result.rejected(),
                    result.filtered());
            System.out.printf("tokens: train %d; time %.1f s; %.0f rows/s; peak heap %.0f MB (max heap %.0f MB)%n",
                    result.trainTokens(), seconds, result.read() / seconds, peakHeap / 1e6,
                    Runtime.getRuntime().maxMemory() / 1e6);
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

    private PrepareBenchmark() {
    }
}
