package dev.orpo.cli;

import dev.orpo.contracts.events.EvaluationCompleted;
import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.events.TrainingCompleted;

import java.util.OptionalInt;

/**
 * When {@code orpo watch} stops, and with which exit code. Fed every event in arrival order.
 *
 * <ul>
 *   <li>Watching one run, its {@code RunFailed} ends with 1 (also with {@code --until}).</li>
 *   <li>{@code --until TYPE}: the first event of that type (record name, any case) of the watched run — of any run
 *       when no run id is given — ends with 0.</li>
 *   <li>Otherwise, watching one run, its last event ends with 0. {@code TrainingCompleted} names the final step;
 *       then the last event is the {@code EvaluationCompleted} with target {@code merged} for that step, or the
 *       {@code ModelMerged} of that step when the request disabled evaluation, or {@code TrainingCompleted} itself
 *       when it disabled merging. (Merges of {@code merge.steps} checkpoints and their evaluations come earlier and
 *       do not end the watch.)</li>
 *   <li>Watching every run without {@code --until}: never ends by itself.</li>
 * </ul>
 */
public final class WatchEnd {
    private final String runId;
    private final String until;
    private Long finalStep;
    private boolean evalEnabled = true;

    /**
     * @param runId the run watched, or null for all runs
     * @param until an event record's simple name, or null
     */
    public WatchEnd(String runId, String until) {
        this.runId = runId;
        this.until = until;
    }

    /** The exit code if this event ends the watch. */
    public OptionalInt exitCode(PipelineEvent event) {
        if (runId != null && !runId.equals(event.runId())) {
            return OptionalInt.empty();
        }
        if (runId != null && event instanceof RunFailed) {
            return OptionalInt.of(ExitCodes.RUN_FAILED);
        }
        if (until != null) {
            return event.getClass().getSimpleName().equalsIgnoreCase(until)
                    ? OptionalInt.of(ExitCodes.OK) : OptionalInt.empty();
        }
        if (runId == null) {
            return OptionalInt.empty();
        }
        return isLastEventOfRun(event) ? OptionalInt.of(ExitCodes.OK) : OptionalInt.empty();
    }

    private boolean isLastEventOfRun(PipelineEvent event) {
        if (event instanceof TrainingCompleted e) {
            finalStep = e.finalStep();
            if (e.request() != null) {
                evalEnabled = e.request().eval().enabled();
                return !e.request().merge().enabled();
            }
            return false;
        }
        if (finalStep == null) {
            return false;
        }
        if (event instanceof ModelMerged e) {
            return !evalEnabled && e.step() == finalStep;
        }
        if (event instanceof EvaluationCompleted e) {
            return "merged".equals(e.target()) && e.step() == finalStep;
        }
        return false;
    }
}
