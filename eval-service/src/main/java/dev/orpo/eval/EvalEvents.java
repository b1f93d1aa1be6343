package dev.orpo.eval;

import dev.orpo.contracts.events.EvaluationCompleted;
import dev.orpo.contracts.events.PipelineEvent;
import dev.orpo.contracts.events.RunFailed;
import dev.orpo.service.EventMessages;
import dev.orpo.service.PublishedEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.net.URI;

/**
 * What eval-service publishes, each call waiting for the broker: {@code evaluation-completed},
 * {@code run-failed}.
 */
@ApplicationScoped
public class EvalEvents {
    static final URI SOURCE = URI.create("/orpo/eval-service");

    @Inject
    PublishedEvents published;

    @Inject
    @Channel("evaluation-completed")
    Emitter<byte[]> evaluationCompleted;

    @Inject
    @Channel("run-failed")
    Emitter<byte[]> runFailed;

    public void publish(EvaluationCompleted event) {
        send(evaluationCompleted, event);
    }

    public void publish(RunFailed event) {
        send(runFailed, event);
    }

    private void send(Emitter<byte[]> emitter, PipelineEvent event) {
        EventMessages.sendAndWait(emitter, event, SOURCE);
        published.published(event);
    }
}
