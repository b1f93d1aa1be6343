package dev.orpo.model.train;

import java.nio.file.Path;
import java.util.Map;

/** Callbacks from {@link OrpoTrainer}, on the training thread (keep them quick); every method defaults to nothing. */
public interface TrainerListener {

    /** Every {@code logging_steps} updates: training metrics averaged since the previous log. */
    default void onLog(StepLog log) {
    }

    /**
     * After each evaluation on the held-out set.
     *
     * @param step    updates completed
     * @param metrics {@code eval_loss} and TRL's metrics with the {@code eval_} prefix, averaged over eval batches
     */
    default void onEvaluate(int step, Map<String, Double> metrics) {
    }

    /** After a checkpoint directory {@code step-<n>} has been completely written (renamed into place). */
    default void onCheckpoint(int step, Path dir) {
    }

    /** Once, when training stops (finished or cancelled), after the final checkpoint. */
    default void onEnd(TrainResult result) {
    }
}
