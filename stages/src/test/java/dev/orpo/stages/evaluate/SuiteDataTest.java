package dev.orpo.stages.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.orpo.contracts.request.EvalSuites;
import dev.orpo.model.eval.ChoiceTask;
import dev.orpo.model.eval.lmeval.LmEvalTasks;
import dev.orpo.model.eval.Suites;
import dev.orpo.stages.resolve.HubClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SuiteData}: the data directory layouts of docs/eval-tasks.md, Parquet and JSONL, and the hub. */
class SuiteDataTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ARC_TEST = """
            {"id": "a1", "question": "What do bees make?", "choices": {"text": ["honey", "milk"], "label": ["A", "B"]}, "answerKey": "A"}
            {"id": "a2", "question": "Which is wet?", "choices": {"text": ["sand", "water", "salt"], "label": ["1", "2", "3"]}, "answerKey": "2"}
            """;
    private static final String ARC_TRAIN = """
            {"id": "t1", "question": "What is ice?", "choices": {"text": ["frozen water", "hot air"], "label": ["A", "B"]}, "answerKey": "A"}
            {"id": "t2", "question": "What is steam?", "choices": {"text": ["cold rock", "hot water"], "label": ["A", "B"]}, "answerKey": "B"}
            {"id": "t3", "question": "What is a star?", "choices": {"text": ["a sun", "a pebble"], "label": ["A", "B"]}, "answerKey": "A"}
            """;
    private static final String HELLASWAG = """
            {"ind": 1, "activity_label": "Cooking", "ctx_a": "A chef cuts onions.", "ctx_b": "HE", "ctx": "", "endings": ["fries them [title] fast.", "sings."], "source_id": "s", "split": "val", "split_type": "indomain", "label": "0"}
            """;
    private static final String AGIEVAL = """
            {"query": "Q: 2+2? Answer Choices: (A)3 (B)4\\nA: Among A through B, the answer is", "choices": ["(A)3", "(B)4"], "gold": [1]}
            """;
    private static final String WINOGRANDE = """
            {"sentence": "The cup fell because _ was unsteady.", "option1": "the cup", "option2": "the table", "answer": "2"}
            """;

    @TempDir
    Path dir;

    /** Writes JSONL rows as a Parquet file with DuckDB, as the hub's converter does (lists, structs, strings). */
    private static Path parquet(Path file, String jsonl) throws Exception {
        Files.createDirectories(file.getParent());
        Path src = Files.writeString(file.resolveSibling(file.getFileName() + ".src.json"), jsonl);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            st.execute("COPY (SELECT * FROM read_json('" + src + "', format = 'newline_delimited')) TO '" + file
                    + "' (FORMAT parquet)");
        }
        Files.delete(src);
        return file;
    }

    private static List<JsonNode> rows(String jsonl) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : jsonl.strip().split("\n")) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    @Test
    void everyLayoutAndFormatGivesTheQuestionsOfTheRowsAsWritten() throws Exception {
        Path root = dir.resolve("data");
        parquet(root.resolve("allenai/ai2_arc/ARC-Easy/test-00000-of-00001.parquet"), ARC_TEST); // a hub repo
        Files.writeString(root.resolve("allenai/ai2_arc/ARC-Easy/train.jsonl"), ARC_TRAIN);
        parquet(root.resolve("Rowan/hellaswag/default/validation/0000.parquet"), HELLASWAG); // the Parquet conversion
        parquet(root.resolve("hails/agieval-aqua-rat/data/test-00000-of-00001.parquet"), AGIEVAL); // data/ = default
        Files.createDirectories(root.resolve("allenai/winogrande/winogrande_xl"));
        Files.writeString(root.resolve("allenai/winogrande/winogrande_xl/validation.jsonl"), WINOGRANDE);

        SuiteData data = new SuiteData(root.toString(), null, null, dir.resolve("cache"));
        List<ChoiceTask> tasks = new ArrayList<>(data.load(List.of("arc_easy"), 2));
        tasks.addAll(data.load(List.of("hellaswag", "agieval_aqua_rat", "winogrande"), 0));
        assertEquals(expected("arc_easy", ARC_TEST, ARC_TRAIN), tasks.get(0).questions());
        assertEquals(expected("arc_easy", ARC_TEST, ARC_TRAIN).size(), 2);
        assertEquals(LmEvalTasks.require("arc_easy").task(rows(ARC_TRAIN), List.of(), "x").questions(),
                tasks.get(0).fewShotPool(), "2-shot reads the train split");
        assertEquals(expected("hellaswag", HELLASWAG, ""), tasks.get(1).questions());
        assertEquals("Cooking: A chef cuts onions. He", tasks.get(1).questions().get(0).contexts().get(0));
        assertEquals(expected("agieval_aqua_rat", AGIEVAL, ""), tasks.get(2).questions());
        assertEquals(expected("winogrande", WINOGRANDE, ""), tasks.get(3).questions());

        // zero-shot reads no few-shot split: hellaswag's train split is absent, and not needed
        assertEquals(1, data.load(List.of("hellaswag"), 0).get(0).size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> data.load(List.of("hellaswag"), 1));
        assertTrue(e.getMessage().startsWith("hellaswag: no train split under " + root + "/Rowan/hellaswag/default/"),
                e.getMessage());
    }

    private static List<?> expected(String task, String evalRows, String fewShotRows) throws IOException {
        return LmEvalTasks.require(task).task(rows(evalRows), fewShotRows.isEmpty() ? List.of() : rows(fewShotRows),
                "x").questions();
    }

    @Test
    void theHubServesEachSplitFromItsParquetListingOnceThenTheCache() throws Exception {
        Map<String, byte[]> files = new ConcurrentHashMap<>();
        List<String> requests = new CopyOnWriteArrayList<>();
        HttpServer hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hub.createContext("/", exchange -> {
            requests.add(exchange.getRequestURI().getPath());
            byte[] body = files.get(exchange.getRequestURI().getPath());
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        hub.start();
        try {
            String url = "http://127.0.0.1:" + hub.getAddress().getPort();
            Path shards = dir.resolve("shards");
            files.put("/p/test0.parquet", Files.readAllBytes(parquet(shards.resolve("a.parquet"),
                    ARC_TEST.lines().limit(1).reduce("", (a, b) -> a + b + "\n"))));
            files.put("/p/test1.parquet", Files.readAllBytes(parquet(shards.resolve("b.parquet"),
                    ARC_TEST.lines().skip(1).reduce("", (a, b) -> a + b + "\n"))));
            files.put("/api/datasets/allenai/ai2_arc/parquet", ("{\"ARC-Challenge\": {\"test\": [\"" + url
                    + "/p/missing.parquet\"]}, \"ARC-Easy\": {\"test\": [\"" + url + "/p/test0.parquet\", \"" + url
                    + "/p/test1.parquet\"]}}").getBytes(StandardCharsets.UTF_8));

            SuiteData data = new SuiteData(SuiteData.HUB, null, new HubClient(url, null), dir.resolve("cache"));
            assertEquals(expected("arc_easy", ARC_TEST, ""), data.load(List.of("arc_easy"), 0).get(0).questions());
            int calls = requests.size();
            assertEquals(3, calls, requests.toString());
            assertEquals(2, data.load(List.of("arc_easy"), 0).get(0).size());
            assertEquals(calls, requests.size(), "the second load reads the cache");

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new SuiteData(SuiteData.HUB, null, null, dir.resolve("c2")).load(List.of("arc_easy"), 0));
            assertTrue(e.getMessage().contains("needs the Hugging Face hub"), e.getMessage());
        } finally {
            hub.stop(0);
        }
    }

    @Test
    void theRequestSchemaAcceptsExactlyTheSuitesAndTasksModelCoreDefines() {
        List<String> contracts = new ArrayList<>(EvalSuites.SUITES);
        contracts.addAll(EvalSuites.TASKS);
        assertEquals(Suites.names().stream().sorted().toList(), contracts.stream().sorted().toList());
    }
}
