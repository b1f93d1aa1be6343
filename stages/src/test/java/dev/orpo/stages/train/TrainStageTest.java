package dev.orpo.stages.train;

import dev.orpo.contracts.request.QuantizationSpec;
import dev.orpo.contracts.request.RequestParser;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.model.io.FloatTensor;
import dev.orpo.model.lora.PeftAdapterFiles;
import dev.orpo.model.train.StepLog;
import dev.orpo.model.train.TrainerConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainStageTest {
    @TempDir
    static Path shared;
    static Path model;
    static Path data;

    @BeforeAll
    static void fixtures() {
        model = SyntheticPrepared.model(shared.resolve("model"), 7);
        data = SyntheticPrepared.dataset(shared.resolve("dataset"), 12, 4, 11);
    }

    static TrainingRequest request(String extra) {
        return RequestParser.parse("""
                {"model": {"name_or_path": "tiny"}, "dataset": {"uri": "s3://orpo/d.jsonl"},
                 "lora": {"r": 4, "lora_alpha": 8},
                 "training": {"learning_rate": 0.001, "warmup_steps": 0, "per_device_train_batch_size": 2,
                   "gradient_accumulation_steps": 1, "max_steps": 4, "eval_steps": 2, "save_steps": 2,
                   "logging_steps": 1, "seed": 3}%s}""".formatted(extra), false);
    }

    @Test
    void reportsStartLogsEvalsCheckpointsAndCompletionInOrder(@TempDir Path out) {
        Recorder rec = new Recorder(null);
        TrainStage.Outcome outcome = TrainStage.run(request(""), inputs(out, 0, null), rec, () -> false);

        assertEquals(List.of("started 4 0", "log 1", "log 2", "eval 2", "checkpoint 2 false", "log 3", "log 4",
                "eval 4", "checkpoint 4 true", "completed 4"), rec.events);
        assertTrue(rec.trainable > 0 && rec.total > rec.trainable, rec.trainable + " of " + rec.total);
        StepLog log = rec.logs.get(0);
        for (String name : List.of("loss", "nll_loss", "log_odds_ratio", "rewards/accuracies", "learning_rate",
                "grad_norm", "epoch")) {
            assertTrue(log.metrics().containsKey(name), name + " in " + log.metrics().keySet());
        }
        assertTrue(log.tokensPerSecond() > 0 && log.etaSeconds() >= 0);
        assertTrue(rec.lastEval.containsKey("eval_loss") && rec.lastEval.containsKey("eval_rewards/margins"));
        assertEquals(rec.lastEval.get("eval_loss"), outcome.finalMetrics().get("eval_loss"));
        assertTrue(Files.isRegularFile(out.resolve("checkpoints/step-4/adapter_model.safetensors")));
        assertFalse(outcome.result().cancelled());
    }

    @Test
    void cancelledRunResumedFromItsCheckpointEndsWithTheUninterruptedAdapter(@TempDir Path a, @TempDir Path b)
            throws Exception {
        TrainStage.run(request(""), inputs(a, 0, null), new Recorder(null), () -> false);

        AtomicBoolean cancel = new AtomicBoolean();
        Recorder stopped = new Recorder(cancel);
        TrainStage.Outcome first = TrainStage.run(request(""), inputs(b, 0, null), stopped, cancel::get);
        assertTrue(first.result().cancelled());
        assertEquals(2, first.result().step());
        assertTrue(stopped.events.contains("checkpoint 2 true"), stopped.events.toString());

        Recorder resumed = new Recorder(null);
        TrainStage.run(request(""), inputs(b, 0, b.resolve("checkpoints/step-2")), resumed, () -> false);
        assertEquals("started 4 2", resumed.events.get(0));
        assertArrayEquals(Files.readAllBytes(a.resolve("checkpoints/step-4/adapter_model.safetensors")),
                Files.readAllBytes(b.resolve("checkpoints/step-4/adapter_model.safetensors")));
    }

    @Test
    void largerPreparedVocabularyResizesEmbeddingsAndSavesThem(@TempDir Path out) {
        TrainStage.run(RequestParser.parse(jsonWithMaxSteps1(), false),
                inputs(out, 66, null), new Recorder(null), () -> false);
        var adapter = PeftAdapterFiles.read(out.resolve("checkpoints/step-1"));
        assertEquals(List.of("embed_tokens", "lm_head"), adapter.config().modulesToSave());
    }

    @Test
    void modulesToSaveTrainsTheListedModuleWholeAndSavesItAsPeftDoes(@TempDir Path out) throws Exception {
        TrainStage.run(RequestParser.parse(jsonWithMaxSteps1().replace("\"lora_alpha\": 4",
                "\"lora_alpha\": 4, \"modules_to_save\": [\"lm_head\"]"), false), inputs(out, 0, null),
                new Recorder(null), () -> false);
        Path checkpoint = out.resolve("checkpoints/step-1");
        var adapter = PeftAdapterFiles.read(checkpoint);
        assertEquals(List.of("lm_head"), adapter.config().modulesToSave());
        FloatTensor head = adapter.tensors().get("base_model.model.lm_head.weight");
        assertFalse(adapter.tensors().containsKey("base_model.model.model.embed_tokens.weight"));
        try (var reader = dev.orpo.model.io.CheckpointReader.open(model);
             var manager = ai.djl.ndarray.NDManager.newBaseManager();
             var loaded = dev.orpo.model.llama.PretrainedLlama.load(model, checkpoint, manager)) {
            assertFalse(java.util.Arrays.equals(reader.readFloats("lm_head.weight"), head.data()), "lm_head trained");
            assertArrayEquals(head.data(), loaded.lmHead().weight().toFloatArray(), "the saved head is loaded");
            assertArrayEquals(reader.readFloats("model.embed_tokens.weight"),
                    loaded.embedding().weight().toFloatArray(), "embed_tokens is not in the list: frozen");
        }
    }

    @Test
    void trainsOnAThreadOtherThanTheOneThatLoadedTheEngine(@TempDir Path out) throws Exception {
        TrainStage.run(RequestParser.parse(jsonWithMaxSteps1(), false), inputs(out.resolve("main"), 0, null),
                new Recorder(null), () -> false);
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                TrainStage.run(RequestParser.parse(jsonWithMaxSteps1(), false), inputs(out.resolve("worker"), 0, null),
                        new Recorder(null), () -> false);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        worker.start();
        worker.join();
        assertEquals(null, failure.get());
        assertArrayEquals(Files.readAllBytes(out.resolve("main/checkpoints/step-1/adapter_model.safetensors")),
                Files.readAllBytes(out.resolve("worker/checkpoints/step-1/adapter_model.safetensors")));
    }

    @Test
    void nf4BaseTrainsAdaptersThatLowerTheLossAndSavesThemInPeftFormat(@TempDir Path out) throws Exception {
        Recorder rec = new Recorder(null);
        TrainStage.run(twelveSteps(", \"quantization\": {\"mode\": \"nf4\"}"), inputs(out.resolve("nf4"), 0, null),
                rec, () -> false);
        assertEquals(List.of(4, 8, 12).size(), rec.evalLosses.size(), rec.events.toString());
        System.out.println("NF4 base, eval_loss at steps 4, 8, 12: " + rec.evalLosses);
        assertTrue(rec.evalLosses.get(2) < rec.evalLosses.get(0), "eval_loss at steps 4, 8, 12: " + rec.evalLosses);
        Path nf4 = out.resolve("nf4/checkpoints/step-12");
        assertEquals(4, PeftAdapterFiles.read(nf4).config().r());

        // the same run on the fp32 base ends with another adapter: the NF4 base is what the adapters adapted to
        TrainStage.run(twelveSteps(""), inputs(out.resolve("fp32"), 0, null), new Recorder(null), () -> false);
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(nf4.resolve("adapter_model.safetensors")),
                Files.readAllBytes(out.resolve("fp32/checkpoints/step-12/adapter_model.safetensors"))));
    }

    @Test
    void gradientCheckpointingFromTheRequestTrainsTheSameNf4Adapter(@TempDir Path out) {
        // LoRA dropout 0.05 acting (disable_dropout off), NF4 base: QLoRA with and without checkpointing
        TrainingRequest checkpointed = qloraTwoSteps(true);
        assertTrue(TrainerConfig.of(checkpointed.training()).gradientCheckpointing());
        TrainStage.Outcome ckpt = TrainStage.run(checkpointed, inputs(out.resolve("ckpt"), 0, null),
                new Recorder(null), () -> false);
        TrainStage.Outcome plain = TrainStage.run(qloraTwoSteps(false), inputs(out.resolve("plain"), 0, null),
                new Recorder(null), () -> false);
        assertEquals(2, ckpt.result().step());
        Map<String, FloatTensor> a = PeftAdapterFiles.read(ckpt.result().finalCheckpoint()).tensors();
        Map<String, FloatTensor> b = PeftAdapterFiles.read(plain.result().finalCheckpoint()).tensors();
        assertEquals(b.keySet(), a.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(b.get(k).data(), a.get(k).data(), 1e-5f, k);
        }
    }

    @Test
    void logitsChunkSizeFromTheRequestReachesTheTrainer() {
        TrainingRequest chunked = RequestParser.parse("""
                {"model": {"name_or_path": "tiny"}, "dataset": {"uri": "s3://orpo/d.jsonl"},
                 "training": {"logits_chunk_size": 7}}""", false);
        assertEquals(7, TrainerConfig.of(chunked.training()).logitsChunkSize());
        assertEquals(0, TrainerConfig.of(qloraTwoSteps(false).training()).logitsChunkSize());
    }

    private static TrainingRequest qloraTwoSteps(boolean gradientCheckpointing) {
        return RequestParser.parse("""
                {"model": {"name_or_path": "tiny"}, "dataset": {"uri": "s3://orpo/d.jsonl"},
                 "lora": {"r": 4, "lora_alpha": 8}, "quantization": {"mode": "nf4"},
                 "training": {"learning_rate": 0.005, "warmup_steps": 0, "per_device_train_batch_size": 2,
                   "gradient_accumulation_steps": 2, "max_steps": 2, "eval_steps": 2, "save_steps": 2,
                   "seed": 3, "gradient_checkpointing": %s, "disable_dropout": false}}"""
                .formatted(gradientCheckpointing), false);
    }

    private static TrainingRequest twelveSteps(String extra) {
        return RequestParser.parse("""
                {"model": {"name_or_path": "tiny"}, "dataset": {"uri": "s3://orpo/d.jsonl"},
                 "lora": {"r": 4, "lora_alpha": 8},
                 "training": {"learning_rate": 0.005, "warmup_steps": 0, "per_device_train_batch_size": 2,
                   "gradient_accumulation_steps": 1, "max_steps": 12, "eval_steps": 4, "save_steps": 12,
                   "logging_steps": 4, "seed": 3}%s}""".formatted(extra), false);
    }

    @Test
    void requestsThatBypassedTheValidatorFailBeforeTrainingNamingTheField(@TempDir Path out) {
        // records built directly (not parsed) skip validation; the stage validates again before anything runs
        TrainingRequest r = request("");
        for (var q : List.of(new QuantizationSpec("nf4", true, 1), new QuantizationSpec("int8", true, 64))) {
            TrainingRequest bad = new TrainingRequest(r.model(), r.dataset(), r.chatTemplate(), r.lora(), q,
                    r.training(), r.merge(), r.eval());
            StageFailure e = assertThrows(StageFailure.class, () -> TrainStage.run(bad, inputs(out, 0, null),
                    new Recorder(null), () -> false));
            assertEquals(q.blockSize() == 1 ? "quantization.block_size" : "quantization.mode", e.field(),
                    e.getMessage());
        }
        assertFalse(Files.exists(out.resolve("checkpoints")));
    }

    @Test
    void tokenIdsBeyondTheEmbeddingAreRefusedNamingTheDataset(@TempDir Path out) throws Exception {
        Path bad = SyntheticPrepared.dataset(out.resolve("bad"), 4, 0, 5);
        Path shard = bad.resolve("train-00000-of-00001.jsonl");
        Files.writeString(shard, Files.readString(shard).replaceFirst("\\[1,", "[99,"));
        StageFailure e = assertThrows(StageFailure.class, () -> TrainStage.run(request(""),
                new TrainStage.Inputs(model, "tiny", bad, 0, out, null), new Recorder(null), () -> false));
        assertTrue(e.getMessage().contains("token id 99") && e.getMessage().contains("64 embedding rows"),
                e.getMessage());
    }

    private static String jsonWithMaxSteps1() {
        return """
                {"model": {"name_or_path": "tiny"}, "dataset": {"uri": "s3://orpo/d.jsonl"},
                 "lora": {"r": 2, "lora_alpha": 4},
                 "training": {"learning_rate": 0.001, "warmup_steps": 0, "per_device_train_batch_size": 2,
                   "gradient_accumulation_steps": 1, "max_steps": 1, "eval_steps": 1, "seed": 3}}""";
    }

    private static TrainStage.Inputs inputs(Path out, int vocab, Path resume) {
        return new TrainStage.Inputs(model, "tiny", data, vocab, out, resume);
    }

    /** Records callbacks as short strings; with a flag, sets it at the first checkpoint (a cancel mid-run). */
    static final class Recorder implements TrainStageListener {
        final List<String> events = new ArrayList<>();
        final List<StepLog> logs = new ArrayList<>();
        final AtomicBoolean cancelAtCheckpoint;
        Map<String, Double> lastEval;
        final List<Double> evalLosses = new ArrayList<>();
        long trainable;
        long total;

        Recorder(AtomicBoolean cancelAtCheckpoint) {
            this.cancelAtCheckpoint = cancelAtCheckpoint;
        }

        @Override
        public void onStarted(int totalSteps, int resumedFromStep, String device, long trainable, long total) {
            events.add("started " + totalSteps + " " + resumedFromStep);
            this.trainable = trainable;
            this.total = total;
        }

        @Override
        public void onLog(StepLog log) {
            events.add("log " + log.step());
            logs.add(log);
        }

        @Override
        public void onEvaluate(int step, double epoch, Map<String, Double> metrics) {
            events.add("eval " + step);
            lastEval = metrics;
            evalLosses.add(metrics.get("eval_loss"));
        }

        @Override
        public void onCheckpoint(int step, Path dir, boolean finalCheckpoint, Map<String, Double> metrics) {
            events.add("checkpoint " + step + " " + finalCheckpoint);
            if (cancelAtCheckpoint != null) {
                cancelAtCheckpoint.set(true);
            }
        }

        @Override
        public void onCompleted(TrainStage.Outcome outcome) {
            events.add("completed " + outcome.result().step());
        }
    }
}
