package dev.orpo.dashboard;

import dev.orpo.contracts.events.CheckpointSaved;
import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.EvaluationCompleted;
import dev.orpo.contracts.events.ModelMerged;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunCancelled;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.contracts.events.TrainingCompleted;
import dev.orpo.contracts.events.TrainingProgressed;
import dev.orpo.contracts.events.TrainingRequested;
import dev.orpo.contracts.events.TrainingStarted;
import dev.orpo.dashboard.RunView.Artifact;
import dev.orpo.dashboard.RunView.Evaluation;
import dev.orpo.dashboard.RunView.Failure;
import dev.orpo.dashboard.RunView.Point;
import dev.orpo.dashboard.RunView.Progress;
import dev.orpo.dashboard.RunView.Stage;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One run's events folded into a view. Not thread-safe: {@link RunViews} guards it. Events of different topics may
 * arrive in any order (they are ordered per topic only), so the timeline is sorted by occurrence time, series by step,
 * and the status is the furthest stage reached; an event id seen twice is ignored.
 */
final class RunState {
    /** Recent events kept for SSE catch-up ({@code ?after=seq}); older ones live on in the view's series. */
    static final int HISTORY = 5_000;

    private final String runId;
    private final Set<String> eventIds = new HashSet<>();
    private final Deque<RunEvent> history = new ArrayDeque<>();
    private final List<Stage> timeline = new ArrayList<>();
    private final Map<String, TreeMap<Long, Double>> train = new TreeMap<>();
    private final Map<String, TreeMap<Long, Double>> eval = new TreeMap<>();
    private final List<Evaluation> evaluations = new ArrayList<>();
    private final Map<String, Artifact> artifacts = new LinkedHashMap<>();
    private String model;
    private Instant firstEventAt;
    private Instant lastEventAt;
    private long lastSeq;
    private Progress progress;
    private RunStatus reached;
    private boolean cancelled;
    private Failure failure;

    RunState(String runId) {
        this.runId = runId;
    }

    /** Whether {@code eventId} was already folded in (a redelivery). */
    boolean seen(String eventId) {
        return eventIds.contains(eventId);
    }

    /** Folds one event in. The caller checked {@link #seen}. */
    void apply(RunEvent e) {
        eventIds.add(e.event().eventId());
        history.addLast(e);
        if (history.size() > HISTORY) {
            history.removeFirst();
        }
        lastSeq = e.seq();
        firstEventAt = firstEventAt == null || e.at().isBefore(firstEventAt) ? e.at() : firstEventAt;
        lastEventAt = lastEventAt == null || e.at().isAfter(lastEventAt) ? e.at() : lastEventAt;
        PipelineEvent event = e.event();
        if (event instanceof TrainingRequested r) {
            model = r.request() == null || r.request().model() == null ? null : r.request().model().nameOrPath();
            String dataset = r.request() == null || r.request().dataset() == null ? "?" : r.request().dataset().uri();
            stage(e, "requested", null, "model " + model + ", dataset " + dataset, RunStatus.REQUESTED);
        } else if (event instanceof DatasetPrepared d) {
            stage(e, "dataset_prepared", null, d.trainRows() + " train / " + d.testRows() + " test pairs, "
                    + d.rejectedRows() + " rejected, " + d.trainTokens() + " train tokens", RunStatus.DATASET_PREPARED);
            artifact(e, "dataset", null, d.datasetUri(), null);
        } else if (event instanceof TrainingStarted s) {
            stage(e, "training_started", s.resumedFromStep() > 0 ? s.resumedFromStep() : null, "device " + s.device() + ", " + s.trainableParameters()
                    + " of " + s.totalParameters() + " parameters trainable"
                    + (s.resumedFromStep() > 0 ? ", resumed from step " + s.resumedFromStep() : ""), RunStatus.TRAINING);
            if (progress == null) {
                progress = new Progress(s.resumedFromStep(), s.totalSteps(), 0, 0, 0);
            }
        } else if (event instanceof TrainingProgressed p) {
            progressed(p);
        } else if (event instanceof CheckpointSaved c) {
            stage(e, "checkpoint_saved", c.step(), (c.finalCheckpoint() ? "final checkpoint, " : "")
                    + (c.files() == null ? 0 : c.files().size()) + " files", RunStatus.TRAINING);
            artifact(e, "checkpoint", c.step(), c.checkpointUri(), c.files());
        } else if (event instanceof TrainingCompleted t) {
            stage(e, "training_completed", t.finalStep(), (t.cancelled() ? "cancelled, " : "")
                    + String.format("%.1f s", t.durationSeconds()), RunStatus.TRAINED);
            artifact(e, "adapter", t.finalStep(), t.adapterUri(), null);
        } else if (event instanceof ModelMerged m) {
            stage(e, "model_merged", m.step(), m.tensors() + " tensors, " + m.bytes() + " bytes, " + m.dtype(),
                    RunStatus.MERGED);
            artifact(e, "merged", m.step(), m.modelUri(), null);
        } else if (event instanceof EvaluationCompleted ev) {
            stage(e, "evaluation_completed", ev.step(), ev.target(),
                    "merged".equals(ev.target()) ? RunStatus.EVALUATED : RunStatus.TRAINING);
            evaluations.add(new Evaluation(ev.target(), ev.step(), e.at(), ev.table() == null ? Map.of() : ev.table(),
                    ev.reportUri()));
            artifact(e, "eval", ev.step(), ev.reportUri(), null);
        } else if (event instanceof RunFailed f) {
            stage(e, "failed", null, f.stage() + ": " + f.reason(), RunStatus.FAILED);
            failure = new Failure(f.stage(), f.reason(), f.errors() == null ? List.of() : f.errors());
        } else if (event instanceof RunCancelled c) {
            stage(e, "cancelled", null, c.reason(), RunStatus.CANCELLED);
            cancelled = true;
        }
    }

    private void progressed(TrainingProgressed p) {
        boolean isEval = TrainingProgressed.EVAL.equals(p.phase());
        Map<String, TreeMap<Long, Double>> series = isEval ? eval : train;
        if (p.metrics() != null) {
            p.metrics().forEach((name, value) -> {
                if (value != null) {
                    series.computeIfAbsent(name, n -> new TreeMap<>()).put(p.step(), value);
                }
            });
        }
        if (!isEval && (progress == null || p.step() >= progress.step())) {
            progress = new Progress(p.step(), p.totalSteps(), p.epoch(), p.tokensPerSecond(), p.etaSeconds());
        }
        reached = RunStatus.furthest(reached, RunStatus.TRAINING);
    }

    private void stage(RunEvent e, String name, Long step, String detail, RunStatus status) {
        timeline.add(new Stage(name, e.event().eventId(), e.at(), step, detail));
        if (status != RunStatus.FAILED && status != RunStatus.CANCELLED) {
            reached = RunStatus.furthest(reached, status);
        }
    }

    private void artifact(RunEvent e, String kind, Long step, String uri, Map<String, String> files) {
        if (uri != null && !uri.isBlank()) {
            artifacts.putIfAbsent(kind + " " + uri, new Artifact(kind, step, uri,
                    files == null ? Map.of() : new TreeMap<>(files), e.event().eventId(), e.at()));
        }
    }

    /** Events after {@code seq}, oldest first (within the last {@value #HISTORY}). */
    List<RunEvent> after(long seq) {
        return history.stream().filter(e -> e.seq() > seq).toList();
    }

    RunStatus status() {
        if (failure != null) {
            return RunStatus.FAILED;
        }
        if (cancelled) {
            return RunStatus.CANCELLED;
        }
        return reached == null ? RunStatus.REQUESTED : reached;
    }

    Instant firstEventAt() {
        return firstEventAt;
    }

    RunView view() {
        return new RunView(runId, status().label(), model, firstEventAt, lastEventAt, lastSeq, sortedTimeline(),
                progress, points(train), points(eval), latestEvaluation(), List.copyOf(evaluations),
                List.copyOf(artifacts.values()), failure);
    }

    RunView.Summary summary() {
        return new RunView.Summary(runId, status().label(), model, firstEventAt, lastEventAt, progress,
                sortedTimeline(), failure == null ? null : failure.stage() + ": " + failure.reason());
    }

    private List<Stage> sortedTimeline() {
        return timeline.stream().sorted(Comparator.comparing(Stage::at)).toList();
    }

    private Evaluation latestEvaluation() {
        return evaluations.stream().max(Comparator.comparing(Evaluation::at)).orElse(null);
    }

    private static Map<String, List<Point>> points(Map<String, TreeMap<Long, Double>> series) {
        Map<String, List<Point>> out = new LinkedHashMap<>();
        series.forEach((name, byStep) -> out.put(name,
                byStep.entrySet().stream().map(s -> new Point(s.getKey(), s.getValue())).toList()));
        return out;
    }
}
