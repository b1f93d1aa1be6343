package dev.orpo.cli;

import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.events.TrainingRequested;
import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.InvalidRequestException;
import dev.orpo.contracts.request.RequestParser;
import dev.orpo.contracts.request.TrainingRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Validates a request and publishes {@code TrainingRequested}; prints the run id (alone, on stdout). */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Validate a training request (YAML or JSON) and start a run.",
                "Prints the run id on stdout. An invalid request prints every field error and exits 2; nothing is "
                        + "published then."})
public final class SubmitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Parameters(paramLabel = "FILE", description = "request file: .yaml, .yml or .json")
    Path file;

    @Option(names = "--run-id", paramLabel = "ID", description = "use this run id (default: run-<utc time>-<random>)")
    String runId;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a request field by its dotted wire "
            + "name, e.g. model.name_or_path=s3://orpo/models/llama3@0123456789ab/ (what orpo upload prints); "
            + "repeatable")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        var err = spec.commandLine().getErr();
        var out = spec.commandLine().getOut();
        if (runId != null && !RunIds.isValid(runId)) {
            err.println("--run-id: " + runId + " is not a valid run id (lower-case letters, digits and '-', 3 to 63)");
            return ExitCodes.BAD_INPUT;
        }
        if (!Files.isRegularFile(file)) {
            err.println(file + (Files.exists(file) ? ": not a regular file" : ": no such file"));
            return ExitCodes.BAD_INPUT;
        }
        TrainingRequest request;
        try {
            request = RequestOverrides.apply(RequestParser.parseFile(file), overrides);
        } catch (InvalidRequestException e) {
            for (FieldError error : e.errors()) {
                err.println(error);
            }
            err.println(file + ": " + e.errors().size() + " error" + (e.errors().size() == 1 ? "" : "s")
                    + "; nothing submitted");
            return ExitCodes.BAD_INPUT;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage() + "; nothing submitted");
            return ExitCodes.BAD_INPUT;
        } catch (IOException e) {
            err.println(file + ": cannot read: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        String id = runId != null ? runId : RunIds.newRunId();
        try {
            var meta = EventPublisher.publish(kafka, TrainingRequested.of(id, request));
            err.println("submitted " + id + " to " + meta.topic() + " on " + kafka.bootstrap()
                    + "; follow it with: ./orpo watch " + id);
        } catch (Exception e) {
            err.println("cannot publish to Kafka at " + kafka.bootstrap() + ": " + rootMessage(e)
                    + " (is the stack up? ./orpo local up)");
            return ExitCodes.UNAVAILABLE;
        }
        out.println(id);
        out.flush();
        return ExitCodes.OK;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
