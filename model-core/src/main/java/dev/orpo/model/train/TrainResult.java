package dev.orpo.model.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How a training run ended.
 *
 * @param step            updates completed
 * @param totalSteps      updates the run was planned for
 * @param cancelled       stopped early by the cancel flag
 * @param finalCheckpoint the checkpoint written at the end ({@code step-<step>}), holding the final adapter
 * @param logHistory      HF-style log history: training and eval entries with {@code step} and {@code epoch}
 */
public record TrainResult(int step, int totalSteps, boolean cancelled, Path finalCheckpoint,
                          List<Map<String, Object>> logHistory) {

    public TrainResult {
        logHistory = List.copyOf(logHistory);
    }
}
