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
        assertEquals(8, files.size(), files.toString());
        for (Path f : files) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(f)),
                    Files.readAllBytes(dir.resolve("b").resolve(f)), f.toString());
        }
        DemoAssets.write(dir.resolve("c"), new DemoAssets.Spec(60, 16, 1, 8, 8));
        assertTrue(!java.util.Arrays.equals(Files.readAllBytes(dir.resolve("a/sort-preferences.parquet")),
                Files.readAllBytes(dir.resolve("c/sort-preferences.parquet"))), "another seed, other rows");
    }

    private static boolean sameLetters(String a, String b) {
        char[] x = a.replace(" ", "").toCharArray();
        char[] y = b.replace(" ", "").toCharArray();
        java.util.Arrays.sort(x);
        java.util.Arrays.sort(y);
        return java.util.Arrays.equals(x, y);
    }
}
