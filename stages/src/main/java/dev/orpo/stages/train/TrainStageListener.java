package dev.orpo.stages.train;

import dev.orpo.model.train.StepLog;

import java.nio.file.Path;
import java.util.Map;

/** What {@link TrainStage} reports, on the training thread, in order; every method defaults to nothing. */
public interface TrainStageListener {

    /**
     * Once, before the first update.
     *
     * @param totalSteps          optimizer updates of the whole run
     * @param resumedFromStep     0 for a fresh start, else the checkpoint's step
     * @param device              the engine's device, e.g. {@code cpu()}
     * @param trainableParameters LoRA (+ resized embedding/head) parameters
     * @param totalParameters     base + adapter parameters
     */
    default void onStarted(int totalSteps, int resumedFromStep, String device, long trainableParameters,
                           long totalParameters) {
    }

    /** Every {@code logging_steps}: TRL names plus learning_rate, grad_norm, epoch; tokens/s and ETA on the log. */
    default void onLog(StepLog log) {
    }

    /** After each evaluation: {@code eval_} names. */
    default void onEvaluate(int step, double epoch, Map<String, Double> metrics) {
    }

    /**
     * A complete checkpoint directory {@code step-<n>} (adapter, optimizer, trainer state) to upload.
     *
     * @param finalCheckpoint the run's last checkpoint (end of training or cancel); may repeat an earlier step once
     *                        when a cancel arrives right after a checkpoint
     * @param metrics         the latest training and evaluation metrics at this step
     */
    default void onCheckpoint(int step, Path dir, boolean finalCheckpoint, Map<String, Double> metrics) {
    }

    /** Once at the end, after the final checkpoint. */
    default void onCompleted(TrainStage.Outcome outcome) {
    }
}
