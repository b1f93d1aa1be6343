package dev.orpo.cli;

import dev.orpo.model.io.CheckpointReader;
import dev.orpo.model.io.DType;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.llama.HfConfigWriter;
import dev.orpo.model.io.ShardedCheckpointWriter;
import dev.orpo.model.io.TensorSpec;
import dev.orpo.model.llama.WeightShapes;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.lora.PeftAdapterConfig;
import dev.orpo.model.lora.PeftAdapterFiles;
import dev.orpo.model.lora.PeftKeys;
import dev.orpo.stages.merge.StandInHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MergeCommandTest {
    @TempDir
    Path tmp;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        return runWith(Map.of(), args);
    }

    int runWith(Map<String, String> env, String... args) {
        CommandLine cl = new CommandLine(new MergeCommand(env));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** A 1-layer model (hidden 8) in bf16 and an r=2 adapter on q_proj whose B is all 0.5 and A all 0.25. */
    Path[] tinyModelAndAdapter(int adapterHidden) {
        LlamaConfig c = new LlamaConfig("LlamaForCausalLM", 10, 8, 12, 1, 2, 1, 4, 1e-5, 10000, null, 32, false,
                false, 1, List.of(2), null, "bfloat16");
        Path base = tmp.resolve("base");
        HfConfigWriter.write(base, c);
        List<TensorSpec> specs = WeightShapes.specs(c, DType.BF16);
        try (ShardedCheckpointWriter w = ShardedCheckpointWriter.open(base, specs, Long.MAX_VALUE)) {
            specs.forEach(s -> w.write(s.name(), new float[(int) s.numel()]));
            w.finish();
        }
        Path adapter = tmp.resolve("adapter");
        String q = "model.layers.0.self_attn.q_proj";
        float[] a = new float[2 * adapterHidden];
        float[] b = new float[8 * 2];
        Arrays.fill(a, 0.25f);
        Arrays.fill(b, 0.5f);
        PeftAdapterFiles.write(adapter, new PeftAdapterConfig(2, 4, 0, List.of("q_proj"), false, List.of(), null),
                Map.of(PeftKeys.loraA(q), new FloatTensor(new long[]{2, adapterHidden}, a),
                        PeftKeys.loraB(q), new FloatTensor(new long[]{8, 2}, b)));
        return new Path[]{base, adapter};
    }

    @Test
    void mergeWritesAModelDirectoryAndSummarises() {
        Path[] p = tinyModelAndAdapter(8);
        Path merged = tmp.resolve("merged");
        int code = run("--model", p[0].toString(), "--adapter", p[1].toString(), "--out", merged.toString(),
                "--dtype", "float32", "--max-shard-size", "1MB");
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("1 LoRA-merged") && out.toString().contains("float32"), out.toString());
        try (CheckpointReader r = CheckpointReader.open(merged)) {
            // 0 + (alpha/r = 2) * sum_k 0.5 * 0.25 over r=2 -> 0.5 everywhere
            float[] w = r.readFloats("model.layers.0.self_attn.q_proj.weight");
            for (float v : w) {
                assertEquals(0.5f, v);
            }
            assertEquals(DType.F32, r.dtype("model.norm.weight"));
        }
        assertTrue(Files.exists(merged.resolve("config.json")));
    }

    @Test
    void adapterForAnotherModelExitsWithBadInputNamingTheTensor() {
        Path[] p = tinyModelAndAdapter(16);
        int code = run("--model", p[0].toString(), "--adapter", p[1].toString(), "--out",
                tmp.resolve("merged").toString());
        assertEquals(ExitCodes.BAD_INPUT, code);
        assertTrue(err.toString().contains("model.layers.0.self_attn.q_proj.lora_A.weight"), err.toString());
        assertFalse(Files.exists(tmp.resolve("merged")));
    }

    @Test
    void unknownDtypeAndBadShardSizeExitWithBadInput() {
        Path[] p = tinyModelAndAdapter(8);
        assertEquals(ExitCodes.BAD_INPUT, run("--model", p[0].toString(), "--adapter", p[1].toString(), "--out",
                tmp.resolve("m1").toString(), "--dtype", "int8"));
        assertTrue(err.toString().contains("int8"), err.toString());
        assertEquals(ExitCodes.BAD_INPUT, run("--model", p[0].toString(), "--adapter", p[1].toString(), "--out",
                tmp.resolve("m2").toString(), "--max-shard-size", "lots"));
        assertTrue(err.toString().contains("lots"), err.toString());
    }

    @Test
    void pushToHubPushesTheMergedDirectoryToTheRepo() throws Exception {
        Path[] p = tinyModelAndAdapter(8);
        Path merged = tmp.resolve("merged");
        try (StandInHub hub = new StandInHub("alice", "hf_cli", 10 << 20, 5 << 20)) {
            int code = runWith(Map.of("HF_TOKEN", "hf_cli", "HF_ENDPOINT", hub.url()), "--model", p[0].toString(),
                    "--adapter", p[1].toString(), "--out", merged.toString(), "--push-to-hub", "alice/tiny",
                    "--private");
            assertEquals(0, code, err.toString());
            assertTrue(out.toString().contains("to " + hub.url() + "/alice/tiny, commit "), out.toString());
            StandInHub.Repo repo = hub.repo("alice/tiny");
            assertTrue(repo.privateRepo());
            try (var files = Files.list(merged)) {
                List<Path> all = files.toList();
                assertEquals(all.size(), repo.files().size());
                for (Path f : all) {
                    assertArrayEquals(Files.readAllBytes(f), repo.files().get(f.getFileName().toString()),
                            f.getFileName().toString());
                }
            }
        }
    }

    @Test
    void pushToHubWithoutTokenOrWithBadIdIsRefusedBeforeMerging() {
        Path[] p = tinyModelAndAdapter(8);
        assertEquals(ExitCodes.BAD_INPUT, run("--model", p[0].toString(), "--adapter", p[1].toString(), "--out",
                tmp.resolve("m1").toString(), "--push-to-hub", "alice/tiny", "--hub-url", "http://127.0.0.1:9"));
        assertTrue(err.toString().contains("set HF_TOKEN"), err.toString());
        assertEquals(ExitCodes.BAD_INPUT, runWith(Map.of("HF_TOKEN", "t"), "--model", p[0].toString(), "--adapter",
                p[1].toString(), "--out", tmp.resolve("m2").toString(), "--push-to-hub", "a/b/c"));
        assertTrue(err.toString().contains("not a hub repo id"), err.toString());
        assertFalse(Files.exists(tmp.resolve("m1")) || Files.exists(tmp.resolve("m2")));
    }

    @Test
    void rejectedTokenExitsWithBadInputAfterKeepingTheMergedDirectory() {
        Path[] p = tinyModelAndAdapter(8);
        try (StandInHub hub = new StandInHub("alice", "hf_cli", 10 << 20, 5 << 20)) {
            int code = runWith(Map.of("HF_TOKEN", "hf_other"), "--model", p[0].toString(), "--adapter",
                    p[1].toString(), "--out", tmp.resolve("m").toString(), "--push-to-hub", "alice/tiny",
                    "--hub-url", hub.url());
            assertEquals(ExitCodes.BAD_INPUT, code);
            assertTrue(err.toString().contains("but push to alice/tiny: POST /api/repos/create answered 401: token"
                    + " rejected"), err.toString());
            assertTrue(Files.exists(tmp.resolve("m").resolve("config.json")));
        }
    }
}
