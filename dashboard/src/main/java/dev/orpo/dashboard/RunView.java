package dev.orpo.dashboard;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.orpo.contracts.request.FieldError;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything the dashboard knows about one run ({@code GET /api/runs/{id}}), rebuilt from the run's events. JSON
 * names are snake_case, like the events'.
 *
 * @param status     {@link RunStatus} name: the furthest stage reached, or failed / cancelled
 * @param model      the requested base model, null until the request was seen
 * @param lastSeq    sequence number of the newest event folded in: follow live with {@code events?after=lastSeq}
 * @param timeline   stages in the order they happened (requested, dataset_prepared, training_started,
 *                   checkpoint_saved..., training_completed, model_merged, evaluation_completed..., failed/cancelled)
 * @param train      train metric name → points by step (TRL names: loss, nll_loss, rewards/margins, ...)
 * @param eval       eval metric name ({@code eval_} prefix) → points by step
 * @param evaluation the newest EvaluationCompleted table, null before the first
 * @param artifacts  every object-store URI the run's events named, oldest first
 * @param failure    why the run failed, null unless it did
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RunView(String runId, String status, String model, Instant firstEventAt, Instant lastEventAt,
                      long lastSeq, List<Stage> timeline, Progress progress, Map<String, List<Point>> train,
                      Map<String, List<Point>> eval, Evaluation evaluation, List<Evaluation> evaluations,
                      List<Artifact> artifacts, Failure failure) {

    /** One line of the run list ({@code GET /api/runs}). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Summary(String runId, String status, String model, Instant firstEventAt, Instant lastEventAt,
                          Progress progress, List<Stage> timeline, String failureReason) {
    }

    /**
     * A stage the run reached.
     *
     * @param stage  timeline name, e.g. {@code checkpoint_saved}
     * @param step   the training step for checkpoint/completed/merged/evaluation stages, else null
     * @param detail one line for people (rows, device, target, reason...)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Stage(String stage, String eventId, Instant at, Long step, String detail) {
    }

    /** The newest training position: step of total, epoch, throughput and ETA, from TrainingProgressed. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Progress(long step, long totalSteps, double epoch, double tokensPerSecond, double etaSeconds) {
    }

    /** One metric value at a step. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Point(long step, double value) {
    }

    /**
     * An EvaluationCompleted.
     *
     * @param table model name (base, tuned) → column → value
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Evaluation(String target, long step, Instant at, Map<String, Map<String, Double>> table,
                             String reportUri) {
    }

    /**
     * An object-store location named by an event.
     *
     * @param kind  dataset | checkpoint | adapter | merged | eval
     * @param step  training step it belongs to, null for the dataset
     * @param files file name → SHA-256, where the event listed them
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Artifact(String kind, Long step, String uri, Map<String, String> files, String eventId,
                           Instant at) {
    }

    /** RunFailed's content: stage, one-line reason, the offending fields or rows. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Failure(String stage, String reason, List<FieldError> errors) {
    }
}
