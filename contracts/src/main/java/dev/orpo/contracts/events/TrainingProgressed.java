package dev.orpo.contracts.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;
import java.util.Map;

/**
 * One logging step (phase {@code train}) or one evaluation (phase {@code eval}, names prefixed {@code eval_}).
 *
 * @param metrics TRL ORPOTrainer names: loss, nll_loss, log_odds_ratio, log_odds_chosen, rewards/chosen,
 *                rewards/rejected, rewards/accuracies, rewards/margins, logps/chosen, logps/rejected, logits/chosen,
 *                logits/rejected, plus learning_rate and grad_norm in training
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainingProgressed(String eventId, String runId, int schemaVersion, Instant occurredAt,
                                 String causationId, String phase, long step, long totalSteps, double epoch,
                                 Map<String, Double> metrics, double tokensPerSecond, double etaSeconds)
        implements PipelineEvent {
    public static final String TRAIN = "train";
    public static final String EVAL = "eval";

    /** The event with the envelope's id, run id, schema version, time and causation. */
    public static TrainingProgressed of(Envelope e, String phase, long step, long totalSteps, double epoch,
                                        Map<String, Double> metrics, double tokensPerSecond, double etaSeconds) {
        return new TrainingProgressed(e.eventId(), e.runId(), e.schemaVersion(), e.occurredAt(), e.causationId(),
                phase, step, totalSteps, epoch, metrics, tokensPerSecond, etaSeconds);
    }
}
