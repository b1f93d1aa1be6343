package dev.orpo.testing;

import dev.orpo.contracts.events.PipelineEvent;

import java.util.List;
import java.util.function.Function;

/**
 * What a stage service promises about its channels, checked by {@link ServiceContractTest}.
 *
 * @param incoming every {@code @Incoming} channel
 * @param outgoing every outgoing channel
 */
public record ServiceContract(List<In> incoming, List<Out> outgoing) {

    /**
     * An incoming channel.
     *
     * @param harmless        a valid event for a given run id that the service handles at once (nothing to train)
     * @param harmlessOutcome what {@code /consumed/<run>} then says ({@code skipped}, {@code failed}, ...)
     */
    public record In(String channel, String topic, String deadLetterTopic, Class<? extends PipelineEvent> type,
                     Function<String, PipelineEvent> harmless, String harmlessOutcome) {
    }

    /** An outgoing channel and its topic. */
    public record Out(String channel, String topic) {
    }
}
