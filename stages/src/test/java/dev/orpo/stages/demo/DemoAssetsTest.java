package dev.orpo.stages.demo;

import dev.orpo.contracts.request.ChatTemplateSpec;
import dev.orpo.contracts.request.DatasetSpec;
import dev.orpo.contracts.request.TrainingArgs;
import dev.orpo.model.llama.HfConfigReader;
import dev.orpo.model.text.HfTokenizer;
import dev.orpo.stages.prepare.DatasetPreparer;
import dev.orpo.stages.prepare.PairShards;
import dev.orpo.stages.prepare.PrepareOptions;
import dev.orpo.stages.prepare.TokenizerSetup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoAssetsTest {
    private static final DemoAssets.Spec SPEC = new DemoAssets.Spec(60, 16, 1, 8, 7);

    @TempDir
    Path dir;

    @Test
    void tokenizerLoadsRoundTripsTextAndUsesTheMergesAndSpecials() throws IOException {
        DemoAssets.Paths p = DemoAssets.write(dir, SPEC);
        try (HfTokenizer tok = HfTokenizer.load(p.modelDir())) {
            assertEquals(DemoTokenizer.size(), tok.size());
            assertEquals(HfConfigReader.read(p.modelDir()).vocabSize(), tok.size());
            String text = "<|im_start|>user\nsort: d b a — ünïcode ok?<|im_end|>\n";
            int[] ids = tok.encode(text);
            assertEquals(text, tok.decode(ids, false));
            assertEquals(2, ids[0], "<|im_start|> is one special token");
            int[] answer = tok.encode("sorted: a b d");
            assertArrayEquals(new int[] {tok.tokenToId("sorted").getAsInt(), tok.tokenToId(":").getAsInt(),
                    tok.tokenToId("\u0120a").getAsInt(), tok.tokenToId("\u0120b").getAsInt(),
                    tok.tokenToId("\u0120d").getAsInt()}, answer, "one token per word and per spaced letter");
            assertEquals(3, tok.eosTokenId().getAsInt());
            assertEquals(1, tok.bosTokenId().getAsInt());
        }
    }

    @Test
    void datasetReadsBackThroughThePreparerWithEveryRow() throws IOException {
        DemoAssets.Paths p = DemoAssets.write(dir, SPEC);
        try (TokenizerSetup.Prepared prepared = TokenizerSetup.load(p.modelDir(), ChatTemplateSpec.defaults())) {
            var preparer = new DatasetPreparer(TokenizerSetup.preferenceTokenizer(prepared, TrainingArgs.defaults()),
                    prepared.tokenizer().fingerprint(), PrepareOptions.DEFAULTS);
            DatasetSpec spec = new DatasetSpec(p.dataset().toString(), "parquet", null, null, null, null, 0.1);
            var result = preparer.prepare(spec, p.dataset(), dir.resolve("prepared"));
            assertEquals(SPEC.rows(), result.read());
            assertEquals(0, result.rejected());
            assertEquals(6, result.testRows());
            Path shard;
            try (Stream<Path> s = Files.list(dir.resolve("prepared"))) {
                shard = s.filter(f -> f.getFileName().toString().startsWith("train-")).findFirst().orElseThrow();
            }
            var first = PairShards.read(shard).get(0).pair();
            String prompt = prepared.tokenizer().decode(java.util.Arrays.copyOf(first.chosenInputIds(),
                    first.chosenPromptLength()), false);
            assertTrue(prompt.startsWith("<|begin_of_text|><|im_start|>user\nsort: "), prompt);
            assertTrue(prompt.endsWith("<|im_start|>assistant\n"), prompt);
            String chosen = prepared.tokenizer().decode(first.chosenInputIds(), false).substring(prompt.length());
            assertTrue(chosen.matches("sorted: [a-h]( [a-h])+<\\|im_end\\|>\n<\\|im_end\\|>"), chosen);
        }
    }

    @Test
    void chosenAnswersAreSortedAndRejectedAnswersAreNot() {
        var rng = new java.util.SplittableRandom(1);
        for (int i = 0; i < 200; i++) {
            DemoTask.Item item = DemoTask.item(rng);
            String letters = item.question().substring("sort: ".length());
            String chosen = item.chosen().substring("sorted: ".length());
            String rejected = item.rejected().substring("sorted: ".length());
            char[] sorted = letters.replace(" ", "").toCharArray();
            java.util.Arrays.sort(sorted);
            assertEquals(new String(sorted), chosen.replace(" ", ""));
            assertTrue(!rejected.equals(chosen) && sameLetters(rejected, letters), item.toString());
        }
        String line = DemoTask.mcContext("sort: c a b");
        assertEquals("<|im_start|>user\nsort: c a b<|im_end|>\n<|im_start|>assistant\nsorted:", line);
    }

    @Test
    void sameSeedGivesByteIdenticalFiles() throws IOException {
        DemoAssets.write(dir.resolve("a"), SPEC);
        DemoAssets.write(dir.resolve("b"), SPEC);
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir.resolve("a"))) {
            files = s.filter(Files::isRegularFile).map(dir.resolve("a")::relativize).sorted().toList();
        }
        assertEquals(10, files.size(), files.toString());
        for (Path f : files) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(f)),
                    Files.readAllBytes(dir.resolve("b").resolve(f)), f.toString());
        }
        DemoAssets.write(dir.resolve("c"), new DemoAssets.Spec(60, 16, 1, 8, 8));
        assertTrue(!java.util.Arrays.equals(Files.readAllBytes(dir.resolve("a/sort-preferences.parquet")),
                Files.readAllBytes(dir.resolve("c/sort-preferences.parquet"))), "another seed, other rows");
    }

    @Test
    void evaluationQuestionsAreNeverTrainedOnAndTheGenerationTaskExpectsTheSortedAnswer() throws Exception {
        DemoAssets.Spec spec = new DemoAssets.Spec(300, 16, 1, 30, 60, DemoAssets.Warmup.NONE, 7);
        DemoAssets.Paths p = DemoAssets.write(dir, spec);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        java.util.Set<String> trained = new java.util.HashSet<>();
        try (var db = java.sql.DriverManager.getConnection("jdbc:duckdb:"); var st = db.createStatement();
             var rs = st.executeQuery("SELECT prompt FROM read_parquet('" + p.dataset() + "')")) {
            while (rs.next()) {
                trained.add(rs.getString(1));
            }
        }
        assertEquals(300, trained.size(), "every row asks another question (the preparer drops repeated rows)");
        List<String> gen = Files.readAllLines(p.taskFiles().get(1));
        assertEquals(60, gen.size());
        for (String line : gen) {
            var row = json.readTree(line);
            String prompt = row.get("prompt").asText();
            assertTrue(!trained.contains(prompt), prompt + " is held out");
            char[] letters = prompt.substring("sort: ".length()).replace(" ", "").toCharArray();
            java.util.Arrays.sort(letters);
            assertEquals("sorted: " + String.join(" ", new String(letters).split("")), row.get("target").asText());
        }
        for (String line : Files.readAllLines(p.taskFiles().get(0))) {
            String context = json.readTree(line).get("context").asText();
            String question = context.substring(context.indexOf("sort: "), context.indexOf("<|im_end|>"));
            assertTrue(!trained.contains(question), question + " is held out");
        }
        List<String> first = new java.util.ArrayList<>();
        for (String line : gen.subList(0, 3)) {
            first.add(json.readTree(line).get("prompt").asText());
        }
        assertEquals(first, p.prompts(), "the samples are the first held-out prompts");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DemoAssets.write(dir.resolve("more"), spec.withRows(470)));
        assertTrue(e.getMessage().startsWith("rows: only "), e.getMessage());
    }

    @Test
    void theWarmedBaseIsMadeOnceAndRemadeWhenItsSettingsChange() throws Exception {
        DemoAssets.Warmup two = new DemoAssets.Warmup(2, 4, 1e-2, 1, 1e-3);
        DemoAssets.Spec spec = new DemoAssets.Spec(40, 16, 1, 4, 4, two, 7);
        Path model = DemoAssets.write(dir, spec).modelDir();
        byte[] warmed = Files.readAllBytes(model.resolve("model.safetensors"));
        Path random = DemoAssets.writeModel(dir.resolve("random"), spec);
        assertTrue(!java.util.Arrays.equals(warmed, Files.readAllBytes(random.resolve("model.safetensors"))),
                "the warm-up changed the weights");
        assertTrue(Files.isRegularFile(model.resolve("tokenizer.json")));
        assertTrue(!Files.exists(dir.resolve("model.random")) && !Files.exists(dir.resolve("model.warmup"))
                        && !Files.exists(dir.resolve("model.both")),
                "no work directories left");

        java.nio.file.attribute.FileTime made = Files.getLastModifiedTime(model.resolve("model.safetensors"));
        DemoAssets.write(dir, spec.withRows(50));
        assertEquals(made, Files.getLastModifiedTime(model.resolve("model.safetensors")), "kept: same model settings");
        DemoAssets.write(dir, new DemoAssets.Spec(40, 16, 1, 4, 4, new DemoAssets.Warmup(3, 4, 1e-2, 1, 1e-3), 7));
        assertTrue(!java.util.Arrays.equals(warmed, Files.readAllBytes(model.resolve("model.safetensors"))),
                "remade: another warm-up");
    }

    private static boolean sameLetters(String a, String b) {
        char[] x = a.replace(" ", "").toCharArray();
        char[] y = b.replace(" ", "").toCharArray();
        java.util.Arrays.sort(x);
        java.util.Arrays.sort(y);
        return java.util.Arrays.equals(x, y);
    }
}
