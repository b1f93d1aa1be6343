package dev.orpo.stages.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.model.io.FileTrees;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Everything {@code orpo demo} trains on, made from a seed (same seed and spec give byte-identical files):
 * <ul>
 *   <li>{@code model/}: a small Llama-architecture base model ({@code config.json}, {@code model.safetensors}) with the
 *   byte-level BPE {@code tokenizer.json} + ChatML {@code tokenizer_config.json} of {@link DemoTokenizer}: randomly
 *   initialised, then warmed up ({@link DemoWarmup}) so that it answers in the task's format but sorts the wrong way
 *   about half the time; made once and kept while the model settings stay the same;</li>
 *   <li>{@code sort-preferences.parquet}: {@link DemoTask} rows in the orpo-dpo-mix-40k schema ({@code source},
 *   {@code prompt}, {@code chosen}/{@code rejected} as lists of {role, content} sharing the user turn,
 *   {@code question});</li>
 *   <li>{@code tasks/sort_letters.jsonl}: a multiple-choice task from the same rule (docs/eval-tasks.md format);</li>
 *   <li>{@code tasks/sort_letters_gen.jsonl}: held-out prompts and their sorted answers, scored by exact match of
 *   greedy replies;</li>
 *   <li>{@code prompts.txt}: the first three held-out prompts, for replies side by side.</li>
 * </ul>
 * No evaluation question is in the training rows or the warm-up.
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
     * @param genPrompts  held-out prompts of the generation task (exact match)
     * @param warmup      the base model's pre-training ({@link DemoWarmup}); 0 steps: a random base
     * @param seed        seeds weights, rows and questions
     */
    public record Spec(int rows, int hidden, int layers, int mcQuestions, int genPrompts, Warmup warmup, long seed) {
        public Spec {
            if (rows < 2) {
                throw new IllegalArgumentException("rows must be >= 2 (a train and a test row), got " + rows);
            }
            if (hidden < 8 || hidden % 4 != 0) {
                throw new IllegalArgumentException("hidden must be a multiple of 4 (heads), >= 8, got " + hidden);
            }
            if (layers < 1 || mcQuestions < 1 || genPrompts < PROMPTS) {
                throw new IllegalArgumentException("layers and mcQuestions must be >= 1 and genPrompts >= " + PROMPTS
                        + ", got " + layers + ", " + mcQuestions + ", " + genPrompts);
            }
        }

        /** A random base (no warm-up), as many held-out prompts as questions. */
        public Spec(int rows, int hidden, int layers, int mcQuestions, long seed) {
            this(rows, hidden, layers, mcQuestions, Math.max(PROMPTS, mcQuestions), Warmup.NONE, seed);
        }

        /** The full demo: most of the questions not held out, for a visible learning curve within minutes. */
        public static Spec standard() {
            return new Spec(360, 64, 2, 60, 40, Warmup.DEMO, 42);
        }

        /** CI size: fewer rows (still enough steps to turn the base around), questions and prompts; the same base. */
        public static Spec small() {
            return new Spec(240, 64, 2, 40, 30, Warmup.DEMO, 42);
        }

        public Spec withRows(int n) {
            return new Spec(n, hidden, layers, mcQuestions, genPrompts, warmup, seed);
        }
    }

    /**
     * The base model's warm-up, two short supervised passes ({@link DemoWarmup}).
     *
     * @param steps             updates on both orders; 0: no warm-up (the base stays random)
     * @param batchSize         questions per update
     * @param learningRate      AdamW, both orders
     * @param habitSteps        updates on the descending order only
     * @param habitLearningRate AdamW, descending only
     */
    public record Warmup(int steps, int batchSize, double learningRate, int habitSteps, double habitLearningRate) {
        public static final Warmup NONE = new Warmup(0, 1, 0, 0, 0);
        /**
         * Measured (docs/benchmarks.md#demo): afterwards the base sorts held-out questions the wrong way round, and
         * the demo's ORPO run turns that into right answers.
         */
        public static final Warmup DEMO = new Warmup(300, 32, 5e-3, 15, 1e-3);

        public Warmup {
            if (steps < 0 || batchSize < 1 || (steps > 0 && habitSteps < 1)) {
                throw new IllegalArgumentException("warm-up needs steps >= 0, batch size >= 1 and, with steps, "
                        + "habit steps >= 1");
            }
        }
    }

    /** Generation prompts shown side by side (the first of the held-out prompts). */
    static final int PROMPTS = 3;

    /** Where the files went; {@code taskFiles}: the multiple-choice task, then the generation task. */
    public record Paths(Path modelDir, Path dataset, List<Path> taskFiles, Path promptsFile, List<String> prompts) {
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

    /**
     * Writes every asset under {@code dir} (created if missing; files are rewritten, except a warmed base model made
     * before from the same model settings, which is kept: {@value #BASE_MARKER} records them).
     */
    public static Paths write(Path dir, Spec spec) throws IOException {
        List<DemoTask.Generation> held = heldOutPrompts(spec.genPrompts(), spec.seed());
        List<DemoTask.McQuestion> mc = mcQuestions(spec.mcQuestions(), spec.seed());
        Set<String> heldOut = new HashSet<>();
        held.forEach(g -> heldOut.add(g.prompt()));
        mc.forEach(q -> heldOut.add(q.question()));
        Path modelDir = writeBase(dir.resolve("model"), spec, heldOut);
        Path dataset = writeDataset(dir.resolve("sort-preferences.parquet"), spec.rows(), spec.seed(), heldOut);
        Path mcTask = writeTask(dir.resolve("tasks").resolve("sort_letters.jsonl"), mc);
        Path genTask = writeGenerationTask(dir.resolve("tasks").resolve("sort_letters_gen.jsonl"), held);
        List<String> prompts = held.subList(0, PROMPTS).stream().map(DemoTask.Generation::prompt).toList();
        Path promptsFile = dir.resolve("prompts.txt");
        Files.writeString(promptsFile, String.join("\n", prompts) + "\n", StandardCharsets.UTF_8);
        return new Paths(modelDir, dataset, List.of(mcTask, genTask), promptsFile, prompts);
    }

    /** A random base model with the demo tokenizer (no warm-up). */
    public static Path writeModel(Path modelDir, Spec spec) throws IOException {
        Files.createDirectories(modelDir);
        SyntheticLlama.write(modelDir, modelConfig(spec), spec.seed());
        DemoTokenizer.write(modelDir);
        return modelDir;
    }

    /** What a base model was made from: written last, so a half-made model is made again. */
    static final String BASE_MARKER = "demo-base.json";

    /** The demo's base model: random, then warmed up ({@link DemoWarmup}) unless {@code spec.warmup()} has no steps. */
    static Path writeBase(Path modelDir, Spec spec, Set<String> heldOut) throws IOException {
        ObjectNode made = JSON.createObjectNode().put("hidden", spec.hidden()).put("layers", spec.layers())
                .put("seed", spec.seed()).put("warmup_steps", spec.warmup().steps())
                .put("warmup_batch_size", spec.warmup().batchSize())
                .put("warmup_learning_rate", spec.warmup().learningRate())
                .put("habit_steps", spec.warmup().habitSteps())
                .put("habit_learning_rate", spec.warmup().habitLearningRate()).put("held_out", heldOut.size())
                .put("version", 1);
        Path marker = modelDir.resolve(BASE_MARKER);
        String wanted = JSON.writeValueAsString(made);
        if (Files.isRegularFile(marker) && Files.readString(marker).equals(wanted)) {
            return modelDir;
        }
        FileTrees.deleteRecursively(modelDir);
        if (spec.warmup().steps() == 0) {
            writeModel(modelDir, spec);
        } else {
            Path random = writeModel(modelDir.resolveSibling(modelDir.getFileName() + ".random"), spec);
            DemoWarmup.run(random, modelDir, spec.warmup(), spec.seed(), heldOut);
            FileTrees.deleteRecursively(random);
        }
        Files.writeString(marker, wanted);
        return modelDir;
    }

    /**
     * {@code rows} preference rows with distinct questions (the preparer drops repeated rows), none of them held out,
     * as Parquet written by DuckDB single-threaded (stable bytes).
     *
     * @throws IllegalArgumentException when fewer distinct questions remain than rows asked for
     */
    public static Path writeDataset(Path file, int rows, long seed, Set<String> heldOut) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.deleteIfExists(file);
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5eedL);
        List<String> values = new ArrayList<>(rows);
        Set<String> asked = new HashSet<>(heldOut); // evaluation questions are never trained on
        for (int misses = 0; values.size() < rows; ) {
            DemoTask.Item item = DemoTask.item(rng);
            if (!asked.add(item.question())) {
                if (++misses > 100_000) {
                    throw new IllegalArgumentException("rows: only " + values.size() + " distinct questions are left "
                            + "besides the " + heldOut.size() + " held out, asked for " + rows);
                }
                continue;
            }
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

    /** Multiple-choice questions: the sorted order among three wrong orders. */
    static List<DemoTask.McQuestion> mcQuestions(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed ^ 0x7a5cL);
        List<DemoTask.McQuestion> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(DemoTask.mcQuestion(rng, 3));
        }
        return out;
    }

    /** Distinct questions for the generation task, answered ascending; the first {@value #PROMPTS} are the samples. */
    static List<DemoTask.Generation> heldOutPrompts(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed ^ 0x9e0L);
        Map<String, DemoTask.Generation> out = new LinkedHashMap<>();
        while (out.size() < n) {
            DemoTask.Generation g = DemoTask.generation(rng);
            out.putIfAbsent(g.prompt(), g);
        }
        return new ArrayList<>(out.values());
    }

    /** The multiple-choice task file (docs/eval-tasks.md). */
    static Path writeTask(Path file, List<DemoTask.McQuestion> questions) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (DemoTask.McQuestion q : questions) {
            ObjectNode n = JSON.createObjectNode();
            n.put("context", q.context());
            ArrayNode choices = n.putArray("choices");
            q.choices().forEach(choices::add);
            n.put("gold", q.gold());
            sb.append(JSON.writeValueAsString(n)).append('\n');
        }
        return writeText(file, sb.toString());
    }

    /** The generation task file: {@code {"prompt", "target"}} rows, scored by exact match (docs/eval-tasks.md). */
    static Path writeGenerationTask(Path file, List<DemoTask.Generation> prompts) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (DemoTask.Generation g : prompts) {
            sb.append(JSON.writeValueAsString(JSON.createObjectNode().put("prompt", g.prompt())
                    .put("target", g.target()))).append('\n');
        }
        return writeText(file, sb.toString());
    }

    private static Path writeText(Path file, String text) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static String message(String role, String content) {
        return "{'content': " + literal(content) + ", 'role': " + literal(role) + "}";
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
