package dev.orpo.contracts;

import dev.orpo.contracts.json.Json;

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

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every Kafka topic of the pipeline, in one place. Names are {@code orpo.<subject>.<past-tense-verb>.v<N>}; a breaking
 * payload change gets a new version (a new topic), additive changes keep it. The run id is the record key, so all
 * events of one run land on one partition, in order.
 */
public final class Topics {
    public static final String TRAINING_REQUESTED = "orpo.training.requested.v1";
    public static final String DATASET_PREPARED = "orpo.dataset.prepared.v1";
    public static final String TRAINING_STARTED = "orpo.training.started.v1";
    public static final String TRAINING_PROGRESSED = "orpo.training.progressed.v1";
    public static final String CHECKPOINT_SAVED = "orpo.checkpoint.saved.v1";
    public static final String TRAINING_COMPLETED = "orpo.training.completed.v1";
    public static final String MODEL_MERGED = "orpo.model.merged.v1";
    public static final String EVALUATION_COMPLETED = "orpo.evaluation.completed.v1";
    public static final String RUN_FAILED = "orpo.run.failed.v1";
    public static final String RUN_CANCELLED = "orpo.run.cancelled.v1";

    /** Dead-letter topics: one per (service, incoming channel). */
    public static final String DLQ_DATASET_TRAINING_REQUESTED = "orpo.dlq.dataset-service.training-requested.v1";
    public static final String DLQ_TRAINER_DATASET_PREPARED = "orpo.dlq.trainer-service.dataset-prepared.v1";
    public static final String DLQ_TRAINER_RUN_CANCELLED = "orpo.dlq.trainer-service.run-cancelled.v1";
    public static final String DLQ_MERGER_CHECKPOINT_SAVED = "orpo.dlq.merger-service.checkpoint-saved.v1";
    public static final String DLQ_MERGER_TRAINING_COMPLETED = "orpo.dlq.merger-service.training-completed.v1";
    public static final String DLQ_EVAL_CHECKPOINT_SAVED = "orpo.dlq.eval-service.checkpoint-saved.v1";
    public static final String DLQ_EVAL_MODEL_MERGED = "orpo.dlq.eval-service.model-merged.v1";
    public static final String DLQ_DASHBOARD_EVENTS = "orpo.dlq.dashboard.events.v1";

    private static final Map<String, Class<? extends PipelineEvent>> EVENT_TYPES = new LinkedHashMap<>();

    static {
        EVENT_TYPES.put(TRAINING_REQUESTED, TrainingRequested.class);
        EVENT_TYPES.put(DATASET_PREPARED, DatasetPrepared.class);
        EVENT_TYPES.put(TRAINING_STARTED, TrainingStarted.class);
        EVENT_TYPES.put(TRAINING_PROGRESSED, TrainingProgressed.class);
        EVENT_TYPES.put(CHECKPOINT_SAVED, CheckpointSaved.class);
        EVENT_TYPES.put(TRAINING_COMPLETED, TrainingCompleted.class);
        EVENT_TYPES.put(MODEL_MERGED, ModelMerged.class);
        EVENT_TYPES.put(EVALUATION_COMPLETED, EvaluationCompleted.class);
        EVENT_TYPES.put(RUN_FAILED, RunFailed.class);
        EVENT_TYPES.put(RUN_CANCELLED, RunCancelled.class);
    }

    private Topics() {
    }

    /** The event topics, in pipeline order. */
    public static List<String> eventTopics() {
        return List.copyOf(EVENT_TYPES.keySet());
    }

    /** The dead-letter topics. */
    public static List<String> deadLetterTopics() {
        return List.of(DLQ_DATASET_TRAINING_REQUESTED, DLQ_TRAINER_DATASET_PREPARED, DLQ_TRAINER_RUN_CANCELLED,
                DLQ_MERGER_CHECKPOINT_SAVED, DLQ_MERGER_TRAINING_COMPLETED, DLQ_EVAL_CHECKPOINT_SAVED,
                DLQ_EVAL_MODEL_MERGED, DLQ_DASHBOARD_EVENTS);
    }

    /** Every topic: events then dead letters. */
    public static List<String> all() {
        var all = new java.util.ArrayList<>(eventTopics());
        all.addAll(deadLetterTopics());
        return List.copyOf(all);
    }

    /** The record type carried by an event topic. */
    public static Class<? extends PipelineEvent> eventType(String topic) {
        Class<? extends PipelineEvent> type = EVENT_TYPES.get(topic);
        if (type == null) {
            throw new IllegalArgumentException("not an event topic: " + topic);
        }
        return type;
    }

    /** The topic an event type is published on. */
    public static String topicOf(Class<? extends PipelineEvent> type) {
        return EVENT_TYPES.entrySet().stream().filter(e -> e.getValue().equals(type)).map(Map.Entry::getKey)
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no topic for " + type.getName()));
    }

    /** Reads the event carried on {@code topic}. */
    public static PipelineEvent readEvent(String topic, byte[] bytes) {
        return Json.fromBytes(bytes, eventType(topic));
    }
}
