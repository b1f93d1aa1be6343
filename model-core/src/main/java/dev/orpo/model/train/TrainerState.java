package dev.orpo.model.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code trainer_state.json}: HF Trainer's fields ({@code global_step}, {@code epoch}, {@code max_steps},
 * {@code log_history} …) plus what an exact resume needs under {@code resume}: the data position (epoch of the
 * shuffled order and the update within it), the seeds the data order and the dropout RNG are derived from, the
 * scheduler step and the number of training rows the positions refer to.
 *
 * @param globalStep     updates completed
 * @param totalSteps     updates planned ({@code max_steps})
 * @param epoch          fractional epoch, {@code globalStep / stepsPerEpoch}
 * @param dataEpoch      epoch whose shuffled order the next update reads from
 * @param stepInEpoch    index of the next update within that epoch
 * @param trainRows      number of training pairs (positions are only valid for the same data)
 * @param seed           seed of the data order ({@code SplittableRandom(seed, epoch)}) and of the per-layer
 *                       dropout seeds
 * @param schedulerStep  LR schedule position (= globalStep: one scheduler step per update)
 * @param config         the {@link TrainerConfig} as HF-named values
 * @param logHistory     training and evaluation log entries so far
 */
public record TrainerState(int globalStep, int totalSteps, double epoch, int dataEpoch, int stepInEpoch,
                           int trainRows, long seed, int schedulerStep, Map<String, Object> config,
                           List<Map<String, Object>> logHistory) {
    public static final String FILE = "trainer_state.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public TrainerState {
        config = Map.copyOf(config);
        logHistory = List.copyOf(logHistory);
    }

    void write(Path dir) {
        ObjectNode o = JSON.createObjectNode();
        o.putNull("best_metric");
        o.putNull("best_model_checkpoint");
        o.put("epoch", epoch);
        o.put("eval_steps", ((Number) config.get("eval_steps")).doubleValue());
        o.put("global_step", globalStep);
        o.put("logging_steps", ((Number) config.get("logging_steps")).intValue());
        o.put("max_steps", totalSteps);
        o.put("num_train_epochs", ((Number) config.get("num_train_epochs")).doubleValue());
        o.put("save_steps", ((Number) config.get("save_steps")).doubleValue());
        o.put("train_batch_size", ((Number) config.get("per_device_train_batch_size")).intValue());
        o.set("log_history", JSON.valueToTree(logHistory));
        ObjectNode r = o.putObject("resume");
        r.put("data_epoch", dataEpoch);
        r.put("step_in_epoch", stepInEpoch);
        r.put("train_rows", trainRows);
        r.put("scheduler_step", schedulerStep);
        ObjectNode rng = r.putObject("rng");
        rng.put("seed", seed);
        rng.put("data_order", "SplittableRandom per epoch from (seed, epoch); Fisher-Yates over train rows");
        rng.put("dropout", "engine (torch) RNG re-seeded before every micro-batch from (seed, step, micro-batch)");
        r.set("config", JSON.valueToTree(config));
        try {
            JSON.writeValue(dir.resolve(FILE).toFile(), o);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    /** Reads {@code dir/trainer_state.json}; errors name the file and the missing field. */
    @SuppressWarnings("unchecked")
    public static TrainerState read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no " + FILE + " in checkpoint " + dir);
        }
        JsonNode o;
        try {
            o = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        JsonNode r = field(o, "resume", file);
        List<Map<String, Object>> history = new ArrayList<>();
        for (JsonNode e : field(o, "log_history", file)) {
            history.add(JSON.convertValue(e, Map.class));
        }
        return new TrainerState(field(o, "global_step", file).asInt(), field(o, "max_steps", file).asInt(),
                field(o, "epoch", file).asDouble(), field(r, "data_epoch", file).asInt(),
                field(r, "step_in_epoch", file).asInt(), field(r, "train_rows", file).asInt(),
                field(field(r, "rng", file), "seed", file).asLong(), field(r, "scheduler_step", file).asInt(),
                JSON.convertValue(field(r, "config", file), Map.class), history);
    }

    private static JsonNode field(JsonNode o, String name, Path file) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(file + ": missing field " + name);
        }
        return v;
    }
}
