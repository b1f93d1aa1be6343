package dev.orpo.cli;

import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.RunIds;
import dev.orpo.contracts.Topics;
import dev.orpo.contracts.events.PipelineEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;

/** Follows every event topic and prints one line per event; see {@link WatchEnd} for when it stops. */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {"Follow a run (or all runs): one line per event.",
                "With RUN_ID the run's events are replayed from its start; exits 0 when the run is done (final "
                        + "merged-model evaluation; or merge/training when eval/merge is disabled), 1 on RunFailed.",
                "While the run is quiet, says so when no consumer group reads the topic it waits on (e.g. "
                        + "dataset-service is not running), and keeps watching.",
                "Prints JSON lines when stdout is not a terminal, or with --json."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:the run finished (or --until matched)", "1:RunFailed", "2:bad run id or event type",
                "3:Kafka unreachable", "124:--timeout elapsed"})
public final class WatchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Parameters(paramLabel = "RUN_ID", arity = "0..1", description = "the run to follow (default: all runs)")
    String runId;

    @Option(names = "--from-beginning", description = "replay all retained events (implied by RUN_ID)")
    boolean fromBeginning;

    @Option(names = "--until", paramLabel = "EVENT_TYPE",
            description = "stop at the first event of this type, e.g. TrainingCompleted")
    String until;

    @Option(names = "--json", description = "JSON lines even on a terminal")
    boolean json;

    @Option(names = "--text", description = "readable lines even when stdout is not a terminal")
    boolean text;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "give up after this long (exit 124); 0: never")
    long timeoutSeconds;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (runId != null && !RunIds.isValid(runId)) {
            err.println(runId + " is not a valid run id");
            return ExitCodes.BAD_INPUT;
        }
        if (until != null && Topics.eventTopics().stream()
                .noneMatch(t -> Topics.eventType(t).getSimpleName().equalsIgnoreCase(until))) {
            err.println("--until: unknown event type " + until + "; one of " + Topics.eventTopics().stream()
                    .map(t -> Topics.eventType(t).getSimpleName()).toList());
            return ExitCodes.BAD_INPUT;
        }
        boolean jsonLines = json || (!text && !Terminal.stdoutIsTerminal());
        // one run on a terminal: a progress bar per stage, redrawn in place (as orpo demo); else one line per event
        StageBoard board = !jsonLines && !text && runId != null ? new StageBoard(out, true) : null;
        WatchEnd end = new WatchEnd(runId, until);
        long deadline = timeoutSeconds > 0 ? System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos()
                : Long.MAX_VALUE;
        ConsumerCheck.Waiting waiting = new ConsumerCheck.Waiting();
        Hint hint = runId == null ? null : new Hint(board, err);
        try (var consumer = new KafkaConsumer<String, byte[]>(kafka.consumer())) {
            List<TopicPartition> partitions = partitions(consumer);
            consumer.assign(partitions);
            if (fromBeginning || runId != null) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            while (System.nanoTime() < deadline) {
                var batch = new ArrayList<ConsumerRecord<String, byte[]>>();
                consumer.poll(Duration.ofMillis(250)).forEach(batch::add);
                batch.sort(Comparator.comparingLong(ConsumerRecord::timestamp));
                for (var record : batch) {
                    if (runId != null && !runId.equals(record.key())) {
                        continue;
                    }
                    PipelineEvent event;
                    try {
                        event = Topics.readEvent(record.topic(), record.value());
                    } catch (RuntimeException e) {
                        err.println("unreadable record on " + record.topic() + " offset " + record.offset() + ": "
                                + e.getMessage());
                        continue;
                    }
                    waiting.on(event);
                    if (hint != null) {
                        hint.eventArrived();
                    }
                    if (board != null) {
                        board.on(event);
                    } else {
                        out.println(jsonLines ? EventFormatter.jsonLine(record.topic(), event)
                                : EventFormatter.textLine(event));
                        out.flush();
                    }
                    OptionalInt code = end.exitCode(event);
                    if (code.isPresent()) {
                        if (board != null) {
                            board.finish();
                        }
                        return code.getAsInt();
                    }
                }
                if (hint != null) {
                    hint.check(waiting.topic());
                }
            }
            err.println("watch: no end after " + timeoutSeconds + " s");
            return ExitCodes.TIMED_OUT;
        } catch (org.apache.kafka.common.KafkaException e) {
            err.println("cannot read from Kafka at " + kafka.bootstrap() + ": " + SubmitCommand.rootMessage(e)
                    + " (is the stack up? ./orpo local up)");
            return ExitCodes.UNAVAILABLE;
        } finally {
            if (hint != null) {
                hint.close();
            }
        }
    }

    /**
     * Says plainly, once, when the run has been quiet for a while and the service that should act next is not
     * consuming the topic the run waits on; and again when it is back. Checked every {@value #QUIET_SECONDS} s.
     */
    private final class Hint implements AutoCloseable {
        private static final long QUIET_SECONDS = 5;
        private final StageBoard board;
        private final PrintWriter err;
        private ConsumerCheck check;
        private long quietSince = System.nanoTime();
        private long checkedAt;
        private String shown;

        Hint(StageBoard board, PrintWriter err) {
            this.board = board;
            this.err = err;
        }

        void eventArrived() {
            quietSince = System.nanoTime();
        }

        void check(String topic) {
            long now = System.nanoTime();
            long quiet = Duration.ofSeconds(QUIET_SECONDS).toNanos();
            if (now - quietSince < quiet || now - checkedAt < quiet) {
                return;
            }
            checkedAt = now;
            if (check == null) {
                check = new ConsumerCheck(kafka);
            }
            String text = check.missingConsumer(topic).orElse(null);
            if (text != null && !text.equals(shown)) {
                say(text);
            } else if (text == null && shown != null) {
                say(null);
            }
            shown = text;
        }

        private void say(String text) {
            if (board != null) {
                board.note(text);
            } else if (text != null) {
                err.println("watch: " + text);
                err.flush();
            }
        }

        @Override
        public void close() {
            if (check != null) {
                check.close();
            }
        }
    }

    /** Every partition of every event topic that exists. */
    private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer) {
        var existing = consumer.listTopics();
        var partitions = new ArrayList<TopicPartition>();
        for (String topic : Topics.eventTopics()) {
            var infos = existing.get(topic);
            if (infos != null) {
                infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
            }
        }
        if (partitions.isEmpty()) {
            throw new org.apache.kafka.common.KafkaException("none of the event topics exists");
        }
        return partitions;
    }
}
