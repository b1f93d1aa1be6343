package dev.orpo.eval;

import dev.orpo.contracts.events.EvaluationCompleted;
import dev.orpo.service.EventPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/**
 * What eval-service publishes: {@code evaluation-completed}, once per target (retried until the broker has it).
 * {@code run-failed} is published by the service-support stage runner.
 */
@ApplicationScoped
public class EvalEvents {
    @Inject
    EventPublisher publisher;

    @Inject
    @Channel("evaluation-completed")
    Emitter<byte[]> evaluationCompleted;

    /** Publishes unless {@code publishedMarker} says it was; then writes the marker. */
    public boolean publishOnce(EvaluationCompleted event, String publishedMarker) {
        return publisher.stateOnce(evaluationCompleted, event, publishedMarker);
    }
}
