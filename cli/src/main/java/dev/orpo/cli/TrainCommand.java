package dev.orpo.cli;

import dev.orpo.contracts.request.InvalidRequestException;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.model.io.FileTrees;
import dev.orpo.model.llama.HfConfigReader;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.score.PreferenceIdsJsonl;
import dev.orpo.model.score.PreferenceTextJsonl;
import dev.orpo.model.train.StepLog;
import dev.orpo.model.train.TrainerListener;
import dev.orpo.stages.StageFailure;
import dev.orpo.stages.prepare.PrepareResult;
import dev.orpo.stages.prepare.PrepareStage;
import dev.orpo.stages.prepare.PrepareStageConfig;
import dev.orpo.stages.train.PreparedDataset;
import dev.orpo.stages.train.TrainStage;
import dev.orpo.stages.train.TrainStageListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code orpo train}: ORPO + LoRA fine-tuning of a local HF model directory, in this process, through the training
 * stage trainer-service runs ({@link TrainStage}), so the same request, data and seed give the same adapter bytes.
 * Settings come from the request file ({@code --config}), then {@code --set name=value} by TRL/PEFT name (a bare LoRA
 * name goes to {@code lora}, any other bare name to {@code training}; dotted paths as in the request), validated by the
 * request's rules. The rows: {@code --prepared DIR} (a prepared dataset), or {@code --data FILE}: text rows go through
 * the dataset stage ({@code orpo prepare}'s code, the request's dataset and chat-template sections) and token-id rows
 * ({@code prompt_ids, chosen_ids, rejected_ids}; held-out ones with {@code --eval-data}) are written as a prepared
 * dataset as they are, into {@code OUT/prepared/}. On a terminal it prints one progress line per logging step; piped,
 * one JSON object per event ({@code log}, {@code eval}, {@code checkpoint}, {@code end}). Checkpoints go to
 * {@code OUT/checkpoints/step-<n>/}, the final adapter to {@code OUT/adapter/}.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Fine-tune a model with ORPO + LoRA on preference rows (text or token ids) or a prepared dataset.")
public class TrainCommand implements java.util.concurrent.Callable<Integer>, EngineCommand {
    /** {@code --set} names that belong to the request's {@code lora} section. */
    private static final Set<String> LORA_KEYS = Set.of("r", "lora_alpha", "lora_dropout", "target_modules",
            "use_rslora", "modules_to_save");

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "HF model directory (config.json + safetensors)")
    Path model;

    @Option(names = "--data", description = "preference rows, JSONL: text (prompt/chosen/rejected, as orpo prepare "
            + "reads them) or token ids {prompt_ids, chosen_ids, rejected_ids}")
    Path data;

    @Option(names = "--prepared", description = "a prepared dataset directory (manifest.json + train/test shards, as "
            + "the dataset stage writes it)")
    Path prepared;

    @Option(names = "--vocab-size", description = "with --prepared: the run's tokenizer size after chat-template "
            + "setup; embeddings are resized to it when larger than the model's (default: keep the model's)")
    int vocabSize;

    @Option(names = "--eval-data", description = "with token-id --data: held-out rows in the same format (eval_* "
            + "metrics); text data is split by the request's dataset.test_size")
    Path evalData;

    @Option(names = "--out", required = true, description = "output directory: checkpoints/ and adapter/")
    Path out;

    @Option(names = "--config", description = "request file (YAML/JSON); model and dataset.uri come from --model and "
            + "the data")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a training (learning_rate, max_steps, "
            + "optim, ...) or LoRA (r, lora_alpha, lora_dropout, target_modules, use_rslora, modules_to_save) setting, "
            + "or any dotted request field (dataset.test_size=0); repeatable")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--resume", paramLabel = "CHECKPOINT", description = "continue from a step-<n> checkpoint directory")
    Path resume;

    private final Boolean terminalOverride;

    public TrainCommand() {
        this(null);
    }

    /** @param terminal true: progress lines, false: JSON lines, null: decide by {@code System.console()} */
    TrainCommand(Boolean terminal) {
        this.terminalOverride = terminal;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        if ((data == null) == (prepared == null)) {
            err.println("orpo train: give exactly one of --data (preference rows) or --prepared (dataset directory)");
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        TrainStage.Outcome outcome;
        Path dataset;
        try {
            TrainingRequest request = LocalRequest.of(config, model.toString(),
                    (data != null ? data : prepared).toString(), overrides,
                    key -> key.contains(".") ? key : (LORA_KEYS.contains(key) ? "lora." : "training.") + key);
            dataset = prepared != null ? prepared : out.resolve("prepared");
            int vocab = prepared != null ? vocabSize : prepareData(request, dataset);
            outcome = TrainStage.run(request, new TrainStage.Inputs(model, model.toString(), dataset, vocab, out,
                    resume), printer(stdout), () -> false);
        } catch (IllegalArgumentException | StageFailure | dev.orpo.stages.train.StageFailure e) {
            err.println("orpo train: " + e.getMessage());
            if (e instanceof InvalidRequestException invalid && invalid.errors().size() > 1) {
                invalid.errors().forEach(fe -> err.println("  " + fe));
            }
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        writeAdapter(outcome.result().finalCheckpoint(), dataset.resolve(PreparedDataset.TOKENIZER_DIR));
        stdout.flush();
        return ExitCodes.OK;
    }

    /**
     * {@code --data}: text rows through the dataset stage, token-id rows as they are, into {@code dir} (replaced, so a
     * resumed run reads the same rows). Returns the run's tokenizer size (0: keep the model's).
     */
    private int prepareData(TrainingRequest request, Path dir) throws IOException {
        if (!Files.isRegularFile(data)) {
            throw new IllegalArgumentException(data + ": no such file");
        }
        FileTrees.deleteRecursively(dir);
        if (PreferenceTextJsonl.holdsIds(data)) {
            int vocab = HfConfigReader.read(model).vocabSize();
            PreparedDataset.write(dir, checkedRows(data, vocab), evalData == null ? List.of()
                    : checkedRows(evalData, vocab));
            return 0;
        }
        if (evalData != null) {
            throw new IllegalArgumentException("--eval-data goes with token-id --data; text rows are split by "
                    + "dataset.test_size");
        }
        PrepareResult r = new PrepareStage(PrepareStageConfig.DEFAULTS).prepareLocal(request, model, data, dir);
        return r.vocabSize();
    }

    /** OUT/adapter: the final checkpoint's adapter files, plus the run's tokenizer when the data stage wrote one. */
    private void writeAdapter(Path finalCheckpoint, Path tokenizer) throws IOException {
        Path adapter = out.resolve("adapter");
        Files.createDirectories(adapter);
        for (String file : List.of("adapter_config.json", "adapter_model.safetensors")) {
            Files.copy(finalCheckpoint.resolve(file), adapter.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (Files.isDirectory(tokenizer)) {
            try (Stream<Path> files = Files.list(tokenizer)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    Files.copy(f, adapter.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private TrainStageListener printer(PrintWriter stdout) {
        boolean terminal = terminalOverride != null ? terminalOverride : System.console() != null;
        TrainerListener printer = terminal ? new TrainOutput.ProgressLines(stdout) : new TrainOutput.JsonLines(stdout);
        return new TrainStageListener() {
            @Override
            public void onLog(StepLog log) {
                printer.onLog(log);
            }

            @Override
            public void onEvaluate(int step, double epoch, Map<String, Double> metrics) {
                printer.onEvaluate(step, metrics);
            }

            @Override
            public void onCheckpoint(int step, Path dir, boolean last, Map<String, Double> metrics) {
                printer.onCheckpoint(step, dir);
            }

            @Override
            public void onCompleted(TrainStage.Outcome o) {
                printer.onEnd(o.result());
            }
        };
    }

    private static List<PreferencePair> checkedRows(Path file, int vocab) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        List<PreferencePair> rows = PreferenceIdsJsonl.read(file);
        for (int i = 0; i < rows.size(); i++) {
            for (int[] ids : List.of(rows.get(i).chosenInputIds(), rows.get(i).rejectedInputIds())) {
                for (int id : ids) {
                    if (id >= vocab) {
                        throw new IllegalArgumentException(file + " row " + (i + 1) + ": token id " + id
                                + " is outside the model's vocabulary of " + vocab);
                    }
                }
            }
        }
        return rows;
    }
}
