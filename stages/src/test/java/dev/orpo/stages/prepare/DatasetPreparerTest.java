package dev.orpo.stages.prepare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orpo.contracts.request.ColumnMapping;
import dev.orpo.contracts.request.DatasetFilters;
import dev.orpo.contracts.request.DatasetSpec;
import dev.orpo.model.text.ChatMessage;
import dev.orpo.model.text.ChatTemplate;
import dev.orpo.model.text.HfTokenizer;
import dev.orpo.model.text.PreferenceExample;
import dev.orpo.model.text.PreferenceTokenizationConfig;
import dev.orpo.model.text.PreferenceTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetPreparerTest {

    @TempDir
    static Path shared;
    static HfTokenizer tokenizer;
    static PreferenceTokenizer preferenceTokenizer;
    static Path parquet;

    @BeforeAll
    static void fixtures() throws Exception {
        tokenizer = HfTokenizer.load(Fixtures.tokenizer(shared.resolve("tok")));
        preferenceTokenizer = new PreferenceTokenizer(tokenizer, ChatTemplate.of(tokenizer),
                PreferenceTokenizationConfig.DEFAULTS);
        parquet = Fixtures.orpoDpoMixParquet(shared.resolve("mix.parquet"));
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static DatasetPreparer preparer(int rowsPerShard) {
        return new DatasetPreparer(preferenceTokenizer, tokenizer.fingerprint(), new PrepareOptions(rowsPerShard));
    }

    private static DatasetSpec spec(Long seed, Integer select, Double testSize, DatasetFilters filters) {
        return new DatasetSpec("mix.parquet", null, null, filters, seed, select, testSize);
    }

    @Test
    void countsAddUpAndRejectsNameTheRow(@TempDir Path out) throws Exception {
        DatasetPreparer.PreparationResult r = preparer(100).prepare(spec(42L, null, 0.1, null), parquet, out);
        assertEquals(40, r.read());
        assertEquals(1L, r.filtered().get("duplicate"));
        assertEquals(1L, r.filtered().get("identical"));
        assertEquals(1, r.rejected());
        assertEquals(37, r.kept());
        assertEquals(r.read(), r.kept() + r.rejected() + r.filtered().values().stream().mapToLong(Long::longValue).sum());
        assertEquals(4, r.testRows(), "ceil(0.1 * 37)");
        assertEquals(33, r.trainRows());
        assertEquals("{\"row\":39,\"reason\":\"chosen[1].content is missing or not a string\"}\n",
                Files.readString(out.resolve("rejects.jsonl")));
        JsonNode manifest = Fixtures.JSON.readTree(out.resolve("manifest.json").toFile());
        assertEquals(40, manifest.at("/counts/read").asLong());
        assertEquals(tokenizer.fingerprint(), manifest.get("tokenizer_sha256").asText());
        assertEquals(r.trainTokens(), manifest.at("/tokens/train/total").asLong());
        long shardRows = 0;
        for (JsonNode s : manifest.get("shards")) {
            shardRows += s.get("rows").asLong();
            assertEquals(ManifestWriter.sha256(out.resolve(s.get("file").asText())), s.get("sha256").asText());
        }
        assertEquals(37, shardRows);
    }

    @Test
    void sameInputGivesByteIdenticalOutput(@TempDir Path a, @TempDir Path b) throws Exception {
        preparer(10).prepare(spec(7L, null, 0.1, null), parquet, a);
        preparer(10).prepare(spec(7L, null, 0.1, null), parquet, b);
        List<Path> files = list(a);
        assertEquals(List.of("manifest.json", "rejects.jsonl", "test-00000-of-00001.jsonl", "train-00000-of-00004.jsonl",
                "train-00001-of-00004.jsonl", "train-00002-of-00004.jsonl", "train-00003-of-00004.jsonl"),
                files.stream().map(p -> p.getFileName().toString()).toList());
        for (Path f : files) {
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(b.resolve(f.getFileName())), f.toString());
        }
    }

    /**
     * Pins the bytes the single-pass, all-in-memory preparer wrote (hashes taken from it before the two-pass rewrite),
     * so that changes to how preparation runs cannot change what it writes. For the Parquet fixture the manifest is
     * left out: it hashes the Parquet file, whose bytes depend on the DuckDB version that wrote it.
     */
    @Test
    void outputBytesMatchThePinnedHashes(@TempDir Path dir) throws Exception {
        Path hh = Fixtures.hhJsonl(dir.resolve("hh.jsonl"), 12);
        DatasetPreparer.PreparationResult r = preparer(100).prepare(
                new DatasetSpec("hh.jsonl", null, null, null, 3L, null, 0.25), hh, dir.resolve("hh"));
        assertEquals("edfe5262752cf9cd8983f8be14f3d703b1a2bdeb3f72b2b11660fecef07f246d", r.manifestSha256());

        Path mix = dir.resolve("mix");
        preparer(10).prepare(spec(7L, null, 0.1, null), parquet, mix);
        assertEquals(List.of(
                "rejects.jsonl 5d7a44cb8835726fc130d3e492cea942cd0fa5913f7c02a18d5f716cbaef32db",
                "test-00000-of-00001.jsonl 257114b07e7c652f46b5947155bb0cf13425f4059d3f66bedefe61c7d755d897",
                "train-00000-of-00004.jsonl aed0e0c8d9f7641d51203745b82671ce55fe7633fad7ea2d352be469ae6f9998",
                "train-00001-of-00004.jsonl f28c1dc2ad30083e5bf68ad7a1020d576aaf62724b891e0c004bbb82b0fe87f4",
                "train-00002-of-00004.jsonl b0d39252eb15418d32f18f570194ae5c71b0ea593481be811f7f161976426768",
                "train-00003-of-00004.jsonl ef369f865a938c0c4adb958d6e2183303849f55ea697101872cdacce4d5eff49"),
                list(mix).stream().filter(f -> !f.getFileName().toString().equals("manifest.json"))
                        .map(f -> f.getFileName() + " " + sha256(f)).toList());
        assertEquals(List.of("hh", "hh.jsonl", "mix"), list(dir).stream().map(f -> f.getFileName().toString()).toList(),
                "the spill file next to the output directory is deleted");
    }

    @Test
    void tokenizationRejectsAreListedByRowAndClosedUpInTheShards(@TempDir Path dir) throws Exception {
        // rows 2, 5, 8 have a prompt ending with an assistant turn: parsed fine, refused by the tokenizer
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            String u = "{\"role\":\"user\",\"content\":\"what is number " + i + " ?\"}";
            String a = "{\"role\":\"assistant\",\"content\":\"it is " + i + " .\"}";
            String prompt = i % 3 == 2 ? "[" + u + "," + a + "]" : "[" + u + "]";
            sb.append("{\"prompt\":").append(prompt).append(",\"chosen\":\"yes ").append(i)
                    .append("\",\"rejected\":\"no\"}\n");
        }
        Path jsonl = Files.writeString(dir.resolve("rej2.jsonl"), sb.toString());
        Path out = dir.resolve("out");
        DatasetPreparer.PreparationResult r = preparer(3).prepare(
                new DatasetSpec("rej2.jsonl", null, null, null, 5L, null, 0.3), jsonl, out);
        assertEquals(3, r.rejected());
        assertEquals(7, r.kept());
        String reason = "\"reason\":\"tokenization: prompt must end with a user turn, ends with assistant\"}\n";
        assertEquals("{\"row\":2," + reason + "{\"row\":5," + reason + "{\"row\":8," + reason,
                Files.readString(out.resolve("rejects.jsonl")));
        // np.random.default_rng(5).permutation(10) with 2, 5, 8 dropped; test is the head (ceil(0.3 * 7) = 3 rows)
        List<Long> order = new java.util.ArrayList<>(rows(out.resolve("test-00000-of-00001.jsonl")));
        order.addAll(rows(out.resolve("train-00000-of-00002.jsonl")));
        order.addAll(rows(out.resolve("train-00001-of-00002.jsonl")));
        assertEquals(List.of(7L, 6L, 1L, 3L, 4L, 0L, 9L), order);
        // pinned like outputBytesMatchThePinnedHashes
        assertEquals("13b2dae5f333af596d71aa5eea34caea064edf07123dbfd219f9c4f1e2464cf3", r.manifestSha256());
    }

    @Test
    void seedDecidesTheOrder(@TempDir Path a, @TempDir Path b) throws Exception {
        preparer(100).prepare(spec(1L, null, 0.0, null), parquet, a);
        preparer(100).prepare(spec(2L, null, 0.0, null), parquet, b);
        List<Long> rowsA = rows(a.resolve("train-00000-of-00001.jsonl"));
        List<Long> rowsB = rows(b.resolve("train-00000-of-00001.jsonl"));
        assertNotEquals(rowsA, rowsB);
        assertEquals(rowsA.stream().sorted().toList(), rowsB.stream().sorted().toList());
    }

    @Test
    void shuffleIsHfDatasetsNumpyPermutation(@TempDir Path out) throws Exception {
        preparer(100).prepare(spec(42L, null, 0.0, null), parquet, out);
        // the 37 kept rows are input rows 0..36; list(np.random.default_rng(42).permutation(37))
        assertEquals(List.of(27L, 18L, 26L, 5L, 4L, 23L, 36L, 7L, 25L, 32L, 10L, 22L, 20L, 34L, 16L, 6L, 24L, 29L, 28L,
                9L, 30L, 19L, 3L, 0L, 15L, 17L, 31L, 12L, 21L, 11L, 14L, 35L, 2L, 33L, 1L, 13L, 8L),
                rows(out.resolve("train-00000-of-00001.jsonl")));
    }

    @Test
    void selectKeepsFirstNShuffledRowsAndCountsTheRest(@TempDir Path out) throws Exception {
        DatasetPreparer.PreparationResult r = preparer(100).prepare(spec(42L, 10, 2.0, null), parquet, out);
        assertEquals(10, r.kept());
        assertEquals(27L, r.filtered().get("not_selected"));
        assertEquals(2, r.testRows());
    }

    @Test
    void sourceFiltersKeepAndExcludeBySourceColumn(@TempDir Path a, @TempDir Path b) throws Exception {
        DatasetFilters only = new DatasetFilters(List.of("src_a"), null, null, null, null, null);
        DatasetPreparer.PreparationResult r = preparer(100).prepare(spec(42L, null, 0.0, only), parquet, a);
        assertEquals(13, r.kept(), "rows 0,3,..,36 (the copy of row 0 is a filtered duplicate)");
        DatasetFilters notToxic = new DatasetFilters(null, List.of("toxic"), null, null, null, null);
        DatasetPreparer.PreparationResult r2 = preparer(100).prepare(spec(42L, null, 0.0, notToxic), parquet, b);
        assertEquals(37 - 12, r2.kept(), "rows 2,5,..,35 are toxic");
    }

    @Test
    void shardRowsAreTheTokenizedPairsOfTheirInputRows(@TempDir Path out) throws Exception {
        preparer(100).prepare(spec(42L, null, 0.0, null), parquet, out);
        for (PairShards.Entry e : PairShards.read(out.resolve("train-00000-of-00001.jsonl"))) {
            if (e.row() == 4) { // the multi-turn row
                ChatMessage q = ChatMessage.user("what is number 4 ?");
                PreferenceExample.Conversation conv = new PreferenceExample.Conversation(
                        List.of(q, ChatMessage.assistant("it is 4 ."), ChatMessage.user("why ?")),
                        List.of(ChatMessage.assistant("because it just is .")), List.of(ChatMessage.assistant("no .")));
                assertEquals(preferenceTokenizer.tokenize(conv).pair(), e.pair());
                return;
            }
        }
        throw new AssertionError("row 4 missing from the train shard");
    }

    @Test
    void hhTranscriptsSplitAtTheirCommonPrefix(@TempDir Path dir) throws Exception {
        Path jsonl = Fixtures.hhJsonl(dir.resolve("hh.jsonl"), 12);
        Path out = dir.resolve("out");
        DatasetPreparer.PreparationResult r = preparer(100).prepare(
                new DatasetSpec("hh.jsonl", null, null, null, 3L, null, 0.25), jsonl, out);
        assertEquals(12, r.kept());
        assertEquals(3, r.testRows());
        PairShards.Entry e = PairShards.read(out.resolve("train-00000-of-00001.jsonl")).get(0);
        int eos = tokenizer.eosTokenId().getAsInt();
        int[] red = tokenizer.encode(" red !");
        assertArrayEquals(new int[] {red[0], red[1], eos}, e.pair().rejectedCompletion());
        assertEquals(tokenizer.bosTokenId().getAsInt(), e.pair().chosenInputIds()[0]);
    }

    @Test
    void jsonPromptStringsBecomeUserTurnsWithTheSystemColumnFirst(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("rows.json");
        Files.writeString(json, "[{\"prompt\": \"what is the colour of grass ?\", \"chosen\": \"green\", "
                + "\"rejected\": \"red\", \"system\": \"please answer\"},"
                + " {\"prompt\": \"why ?\", \"chosen\": \"because\", \"rejected\": \"no\", \"system\": null}]");
        Path out = dir.resolve("out");
        preparer(100).prepare(new DatasetSpec("rows.json", null, null, null, 42L, null, 0.0), json, out);
        PreferenceExample.Conversation first = PreferenceExample.conversation(
                List.of(ChatMessage.system("please answer"), ChatMessage.user("what is the colour of grass ?")),
                "green", "red");
        PairShards.Entry row0 = PairShards.read(out.resolve("train-00000-of-00001.jsonl")).stream()
                .filter(e -> e.row() == 0).findFirst().orElseThrow();
        assertEquals(preferenceTokenizer.tokenize(first).pair(), row0.pair());
    }

    @Test
    void missingColumnIsNamedWithTheFileColumns(@TempDir Path out) {
        DatasetSpec spec = new DatasetSpec("mix.parquet", null, new ColumnMapping(null, "good", null, null), null, null,
                null, null);
        Exception e = assertThrows(IllegalArgumentException.class, () -> preparer(100).prepare(spec, parquet, out));
        assertTrue(e.getMessage().contains("dataset.columns.chosen") && e.getMessage().contains("'good'"),
                e.getMessage());
    }

    @Test
    void nonEmptyOutputDirectoryIsRefused(@TempDir Path out) throws IOException {
        Files.writeString(out.resolve("old.jsonl"), "x");
        assertThrows(IOException.class, () -> preparer(100).prepare(spec(42L, null, 0.1, null), parquet, out));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static String sha256(Path file) {
        try {
            return ManifestWriter.sha256(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Long> rows(Path shard) throws IOException {
        return PairShards.read(shard).stream().map(PairShards.Entry::row).toList();
    }
}
