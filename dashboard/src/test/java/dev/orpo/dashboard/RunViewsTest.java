package dev.orpo.dashboard;

import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.TrainingProgressed;
import dev.orpo.dashboard.RunView.Point;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Folding events into run views, without Kafka. */
class RunViewsTest {
    private static final String RUN = "run-20261128-060000-abcd";
    private final RunEvents run = new RunEvents(RUN);
    private RunViews views;

    @BeforeEach
    void setUp() {
        views = new RunViews();
        views.registry = new SimpleMeterRegistry();
        views.gauges();
    }

    private RunView apply(PipelineEvent... events) {
        for (PipelineEvent e : events) {
            views.apply(Topics.topicOf(e.getClass()), e, e.occurredAt());
        }
        return views.view(RUN).orElseThrow();
    }

    @Test
    void eventsFromDifferentTopicsInAnyArrivalOrderGiveThePipelineTimelineAndFurthestStatus() {
        RunView view = apply(run.merged(), run.checkpoint(20), run.requested(), run.completed(), run.started());

        assertEquals(List.of("requested", "training_started", "checkpoint_saved", "training_completed",
                "model_merged"), view.timeline().stream().map(RunView.Stage::stage).toList());
        assertEquals("merged", view.status());
        assertEquals("tiny-llama", view.model());
        assertEquals(5, view.lastSeq());
        view = apply(run.evaluation("merged", 20, 80));
        assertEquals("evaluated", view.status());
    }

    @Test
    void progressEventsBecomeStepOrderedSeriesWithEvalKeptApart() {
        RunView view = apply(run.train(3), run.train(1), run.eval(2), run.train(2));

        assertEquals(List.of(new Point(1, 2.5), new Point(2, 1.5), new Point(3, 2.0 / 3 + 0.5)),
                view.train().get("loss"));
        assertEquals(List.of(2L), view.eval().get("eval_loss").stream().map(Point::step).toList());
        assertTrue(view.train().keySet().containsAll(List.of("nll_loss", "log_odds_ratio", "log_odds_chosen",
                "rewards/accuracies", "rewards/margins", "rewards/chosen", "rewards/rejected", "learning_rate",
                "grad_norm")), view.train().keySet().toString());
        assertEquals(3, view.progress().step(), "progress follows the furthest train step, not arrival order");
        assertEquals("training", view.status());
    }

    @Test
    void redeliveredEventIsFoldedInOnce() {
        TrainingProgressed step = run.train(1);
        apply(step, step);

        assertEquals(1, views.view(RUN).orElseThrow().lastSeq());
        assertEquals(1.0, views.registry.get("orpo.dashboard.events").tag("outcome", "duplicate").counter().count());
    }

    @Test
    void failedRunCarriesItsStageReasonAndErrors() {
        RunView view = apply(run.requested(), run.failed());

        assertEquals("failed", view.status());
        assertEquals("dataset", view.failure().stage());
        assertEquals("dataset.rows[17].chosen", view.failure().errors().get(0).path());
        assertEquals("dataset: 2 rows rejected", views.list().get(0).failureReason());
    }

    @Test
    void latestEvaluationAndEveryArtifactUriAreKept() {
        RunView view = apply(run.checkpoint(10), run.evaluation("checkpoint", 10, 40), run.merged(),
                run.evaluation("merged", 20, 80), run.evaluation("checkpoint", 20, 75));

        assertEquals("merged", view.evaluation().target(), "newest by occurrence time");
        assertEquals(48.0, view.evaluation().table().get("tuned").get("hellaswag/acc_norm"));
        assertEquals(3, view.evaluations().size());
        assertEquals(List.of("checkpoint", "eval", "merged", "eval", "eval"),
                view.artifacts().stream().map(RunView.Artifact::kind).toList());
        assertEquals(run.checkpointUri(10), view.artifacts().get(0).uri());
        assertEquals("ab12", view.artifacts().get(0).files().get("adapter_model.safetensors"));
    }

    @Test
    void followerGetsTheBacklogAfterItsSequenceNumberThenLiveEventsUntilItCancels() {
        apply(run.requested(), run.started());
        AssertSubscriber<RunEvent> sub = views.follow(RUN, 1).subscribe().withSubscriber(AssertSubscriber.create(10));

        apply(run.train(1));
        assertEquals(List.of(2L, 3L), sub.getItems().stream().map(RunEvent::seq).toList());
        assertEquals("TrainingProgressed", sub.getItems().get(1).type());
        sub.cancel();
        assertEquals(0, views.followers(RUN));
    }

    @Test
    void runNotSeenYetCanBeFollowedAndHasNoView() {
        AssertSubscriber<RunEvent> sub = views.follow(RUN, 0).subscribe().withSubscriber(AssertSubscriber.create(10));
        assertTrue(views.view(RUN).isEmpty());

        apply(run.requested());
        assertEquals(1, sub.getItems().size());
        assertNull(views.view(RUN).orElseThrow().evaluation());
    }

    @Test
    void malformedPayloadIsRejectedNamingTheTopicAndProblem() {
        String topic = Topics.TRAINING_PROGRESSED;
        assertThrows(IllegalArgumentException.class, () -> EventsConsumer.parse(topic, new byte[0]));
        assertThrows(RuntimeException.class, () -> EventsConsumer.parse(topic, bytes("{\"run_id\": \"oops")));
        assertThrows(IllegalArgumentException.class, () -> EventsConsumer.parse(topic, bytes("null")));
        var badId = assertThrows(IllegalArgumentException.class, () -> EventsConsumer.parse(topic,
                bytes("{\"event_id\": \"e1\", \"run_id\": \"Not A Run\", \"phase\": \"train\"}")));
        assertTrue(badId.getMessage().contains("invalid run_id on " + topic), badId.getMessage());
        var noId = assertThrows(IllegalArgumentException.class, () -> EventsConsumer.parse(topic,
                Json.toBytes(new TrainingProgressed(null, RUN, 1, null, null, "train", 1, 2, 0, null, 0, 0))));
        assertTrue(noId.getMessage().contains("no event_id"), noId.getMessage());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
