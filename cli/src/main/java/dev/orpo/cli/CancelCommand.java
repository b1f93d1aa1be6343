package dev.orpo.cli;

import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.events.RunCancelled;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** Publishes {@code RunCancelled}: the trainer stops at its next step and saves a final checkpoint. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancel a run: the trainer stops at its next step with a final checkpoint.")
public final class CancelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Parameters(paramLabel = "RUN_ID", description = "the run to cancel")
    String runId;

    @Option(names = "--reason", paramLabel = "TEXT", description = "why (recorded in the event; default: ${DEFAULT-VALUE})",
            defaultValue = "cancelled by user")
    String reason;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        if (!RunIds.isValid(runId)) {
            err.println(runId + " is not a valid run id");
            return ExitCodes.BAD_INPUT;
        }
        try {
            EventPublisher.publish(kafka, RunCancelled.of(runId, reason));
        } catch (Exception e) {
            err.println("cannot publish to Kafka at " + kafka.bootstrap() + ": " + SubmitCommand.rootMessage(e));
            return ExitCodes.UNAVAILABLE;
        }
        spec.commandLine().getOut().println("cancel requested for " + runId);
        return ExitCodes.OK;
    }
}
