package dev.orpo.stages.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.synthetic.SyntheticLlama;
import dev.orpo.model.text.ChatmlSetup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Everything {@code orpo demo} trains on, made from a seed (same seed and spec give byte-identical files):
 * <ul>
 *   <li>{@code model/}: a randomly initialised Llama-architecture base model ({@code config.json},
 *   {@code model.safetensors}) with the byte-level BPE {@code tokenizer.json} + ChatML {@code tokenizer_config.json}
 *   of {@link DemoTokenizer};</li>
 *   <li>{@code sort-preferences.parquet}: {@link DemoTask} rows in the orpo-dpo-mix-40k schema ({@code source},
 *   {@code prompt}, {@code chosen}/{@code rejected} as lists of {role, content} sharing the user turn,
 *   {@code question});</li>
 *   <li>{@code tasks/sort_letters.jsonl}: a multiple-choice task from the same rule (docs/eval-tasks.md format);</li>
 *   <li>{@code prompts.txt}: generation prompts, one per line.</li>
 * </ul>
 */
public final class DemoAssets {
    /** Positions of the demo model; the longest demo conversation is ~40 tokens. */
    public static final int MAX_POSITIONS = 128;
    public static final String SOURCE = "demo-sort-letters";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What to make.
     *
     * @param rows        preference rows in the Parquet file
     * @param hidden      model width (4 heads, 2 KV heads)
     * @param layers      decoder layers
     * @param mcQuestions questions in the multiple-choice task
     * @param seed        seeds weights, rows and questions
     */
    public record Spec(int rows, int hidden, int layers, int mcQuestions, long seed) {
        public Spec {
            if (rows < 2) {
                throw new IllegalArgumentException("rows must be >= 2 (a train and a test row), got " + rows);
            }
            if (hidden < 8 || hidden % 4 != 0) {
                throw new IllegalArgumentException("hidden must be a multiple of 4 (heads), >= 8, got " + hidden);
            }
            if (layers < 1 || mcQuestions < 1) {
                throw new IllegalArgumentException("layers and mcQuestions must be >= 1, got " + layers + ", "
                        + mcQuestions);
            }
        }

        /** The full demo: enough rows for a visible learning curve within minutes on 2 cores. */
        public static Spec standard() {
            return new Spec(600, 64, 2, 100, 42);
        }

        /** CI size: fewer rows and questions, same model. */
        public static Spec small() {
            return new Spec(240, 64, 2, 40, 42);
        }

        public Spec withRows(int n) {
            return new Spec(n, hidden, layers, mcQuestions, seed);
        }
    }

    /** Where the files went. */
    public record Paths(Path modelDir, Path dataset, Path taskFile, Path promptsFile, List<String> prompts) {
    }

    private DemoAssets() {
    }

    /** The demo model's architecture: vocab = the tokenizer's size, MLP 2× hidden. */
    public static LlamaConfig modelConfig(Spec spec) {
        int heads = 4;
        return new LlamaConfig("LlamaForCausalLM", DemoTokenizer.size(), spec.hidden(), 2 * spec.hidden(),
                spec.layers(), heads, 2, spec.hidden() / heads, 1e-5, 500000.0, null, MAX_POSITIONS, false, false,
                DemoTokenizer.id(DemoTokenizer.BOS), List.of(DemoTokenizer.id(ChatmlSetup.IM_END)),
                DemoTokenizer.id(DemoTokenizer.PAD), "float32");
    }

    /** Writes every asset under {@code dir} (created if missing; existing files are overwritten). */
    public static Paths write(Path dir, Spec spec) throws IOException {
        Path modelDir = writeModel(dir.resolve("model"), spec);
        Path dataset = writeDataset(dir.resolve("sort-preferences.parquet"), spec.rows(), spec.seed());
        Path task = writeTask(dir.resolve("tasks").resolve("sort_letters.jsonl"), spec.mcQuestions(), spec.seed());
        List<String> prompts = prompts(spec.seed());
        Path promptsFile = dir.resolve("prompts.txt");
        Files.writeString(promptsFile, String.join("\n", prompts) + "\n", StandardCharsets.UTF_8);
        return new Paths(modelDir, dataset, task, promptsFile, prompts);
    }

    public static Path writeModel(Path modelDir, Spec spec) throws IOException {
        Files.createDirectories(modelDir);
        SyntheticLlama.write(modelDir, modelConfig(spec), spec.seed());
        DemoTokenizer.write(modelDir);
        return modelDir;
    }

    /** {@code rows} preference rows as Parquet, written by DuckDB single-threaded (stable bytes). */
    public static Path writeDataset(Path file, int rows, long seed) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.deleteIfExists(file);
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5eedL);
        List<String> values = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            DemoTask.Item item = DemoTask.item(rng);
            String user = message("user", item.question());
            values.add("(" + literal(SOURCE) + ", " + literal(item.question()) + ", [" + user + ", "
                    + message("assistant", item.chosen()) + "], [" + user + ", " + message("assistant", item.rejected())
                    + "], " + literal(item.question()) + ")");
        }
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement()) {
            st.execute("SET threads = 1");
            st.execute("CREATE TABLE mix (source VARCHAR, prompt VARCHAR, chosen STRUCT(content VARCHAR, role VARCHAR)[],"
                    + " rejected STRUCT(content VARCHAR, role VARCHAR)[], question VARCHAR)");
            for (int from = 0; from < values.size(); from += 500) {
                st.execute("INSERT INTO mix VALUES " + String.join(", ",
                        values.subList(from, Math.min(values.size(), from + 500))));
            }
            st.execute("COPY (SELECT * FROM mix) TO " + literal(file.toAbsolutePath().toString()) + " (FORMAT parquet)");
        } catch (SQLException e) {
            throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    /** A multiple-choice task: the sorted order among three wrong orders. */
    public static Path writeTask(Path file, int questions, long seed) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        SplittableRandom rng = new SplittableRandom(seed ^ 0x7a5cL);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < questions; i++) {
            DemoTask.McQuestion q = DemoTask.mcQuestion(rng, 3);
            ObjectNode n = JSON.createObjectNode();
            n.put("context", q.context());
            ArrayNode choices = n.putArray("choices");
            q.choices().forEach(choices::add);
            n.put("gold", q.gold());
            sb.append(JSON.writeValueAsString(n)).append('\n');
        }
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        return file;
    }

    /** Three questions for side-by-side generations (not in the task file's seed stream). */
    public static List<String> prompts(long seed) {
        SplittableRandom rng = new SplittableRandom(seed ^ 0x9e0L);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            out.add(DemoTask.item(rng).question());
        }
        return out;
    }

    private static String message(String role, String content) {
        return "{'content': " + literal(content) + ", 'role': " + literal(role) + "}";
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
