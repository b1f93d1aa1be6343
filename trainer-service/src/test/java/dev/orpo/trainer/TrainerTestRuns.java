package dev.orpo.trainer;

import dev.orpo.contracts.events.DatasetPrepared;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.request.RequestParser;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.store.ObjectStore;
import dev.orpo.testing.TestTopics;

import java.nio.file.Path;
import java.time.Instant;

/** A tiny training run for the service tests: its request, and its model + dataset stored and DatasetPrepared sent. */
final class TrainerTestRuns {
    private TrainerTestRuns() {
    }

    /** The synthetic task's request; {@code training} adds the step fields (max_steps, save_steps, ...). */
    static TrainingRequest request(ObjectStore store, String runId, String training) {
        return RequestParser.parse("""
                {"model": {"name_or_path": "s3://%s/tests/%s/model/"}, "dataset": {"uri": "s3://orpo/d.jsonl"},
                 "lora": {"r": 4, "lora_alpha": 8},
                 "training": {"learning_rate": 0.001, "warmup_steps": 0, "per_device_train_batch_size": 2,
                   "per_device_eval_batch_size": 4, "gradient_accumulation_steps": 1, "logging_steps": 1,
                   "seed": 3, %s}}""".formatted(store.bucket(), runId, training), false);
    }

    /** Stores the model and dataset where the request and event point, then publishes DatasetPrepared (returned). */
    static DatasetPrepared publish(ObjectStore store, TestTopics topics, String runId, Path model, Path dataset,
                                   TrainingRequest request) {
        store.putDirectory("tests/" + runId + "/model/", model);
        store.putDirectory("runs/" + runId + "/dataset/", dataset);
        DatasetPrepared event = new DatasetPrepared(PipelineEvent.newEventId(), runId, 1, Instant.now(), null,
                "s3://" + store.bucket() + "/runs/" + runId + "/dataset/", "test", 12, 4, 0, 252, 64, request);
        topics.publishEvent(event);
        return event;
    }
}
