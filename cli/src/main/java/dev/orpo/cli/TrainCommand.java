package dev.orpo.cli;

import ai.djl.ndarray.NDManager;
import dev.orpo.contracts.request.InvalidRequestException;
import dev.orpo.contracts.request.LoraSpec;
import dev.orpo.contracts.request.QuantizationSpec;
import dev.orpo.contracts.request.RequestParser;
import dev.orpo.contracts.request.TrainingArgs;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.model.io.CheckpointReader;
import dev.orpo.model.io.HfConfigReader;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.lora.FrozenWeights;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.lora.LoraTarget;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.score.PreferenceIdsJsonl;
import dev.orpo.model.train.Checkpoints;
import dev.orpo.model.train.OrpoTrainer;
import dev.orpo.model.train.StepLog;
import dev.orpo.model.train.TrainerConfig;
import dev.orpo.model.train.TrainerListener;
import dev.orpo.stages.train.StageFailure;
import dev.orpo.stages.train.TrainStage;
import dev.orpo.stages.train.TrainStageListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code orpo train}: ORPO + LoRA fine-tuning of a local HF model directory on tokenized preference rows, in this
 * process. Settings come from the request's {@code training}, {@code lora} and {@code quantization} sections
 * ({@code --config}), then {@code --set name=value} overrides by TRL/PEFT name. On a terminal it prints one progress line per logging step;
 * piped, one JSON object per event ({@code log}, {@code eval}, {@code checkpoint}, {@code end}). Checkpoints go to
 * {@code OUT/checkpoints/step-<n>/}, the final adapter to {@code OUT/adapter/}. With {@code --prepared DIR} the rows
 * come from a prepared dataset directory (train/test shards) and training goes through {@link TrainStage}, the code
 * trainer-service runs, so the same request, data and seed give the same adapter bytes.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Fine-tune a model with ORPO + LoRA on tokenized pairs (JSONL prompt_ids, chosen_ids, rejected_ids).")
public class TrainCommand implements java.util.concurrent.Callable<Integer>, EngineCommand {
    private static final Set<String> LORA_KEYS = Set.of("r", "lora_alpha", "lora_dropout", "target_modules",
            "use_rslora");

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "HF model directory (config.json + safetensors)")
    Path model;

    @Option(names = "--data", description = "training rows: JSONL {prompt_ids, chosen_ids, rejected_ids}")
    Path data;

    @Option(names = "--prepared", description = "a prepared dataset directory (manifest.json + train/test shards, as "
            + "the dataset stage writes it); trained through the same stage as trainer-service")
    Path prepared;

    @Option(names = "--vocab-size", description = "with --prepared: the run's tokenizer size after chat-template "
            + "setup; embeddings are resized to it when larger than the model's (default: keep the model's)")
    int vocabSize;

    @Option(names = "--eval-data", description = "held-out rows in the same format (eval_* metrics)")
    Path evalData;

    @Option(names = "--out", required = true, description = "output directory: checkpoints/ and adapter/")
    Path out;

    @Option(names = "--config", description = "request file (YAML/JSON); its training and lora sections are used")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a training (learning_rate, max_steps, "
            + "...) or LoRA (r, lora_alpha, lora_dropout, target_modules, use_rslora) setting; repeatable")
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
            err.println("orpo train: give exactly one of --data (token-id JSONL) or --prepared (dataset directory)");
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        TrainerConfig trainerConfig;
        LoraConfig loraConfig;
        List<PreferencePair> train;
        List<PreferencePair> eval;
        LlamaConfig llama;
        FrozenWeights base;
        try {
            TrainingRequest request = config == null ? null : RequestParser.parseFile(config);
            QuantizationSpec quantization = request == null ? QuantizationSpec.defaults() : request.quantization();
            base = TrainStage.frozenWeights(quantization); // nf4: the request's QLoRA storage, in both paths
            Map<String, String> loraSets = new LinkedHashMap<>();
            trainerConfig = trainerConfig(request == null ? TrainingArgs.defaults() : request.training());
            for (String kv : overrides) {
                int eq = kv.indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException("--set " + kv + ": expected KEY=VALUE");
                }
                String key = kv.substring(0, eq).trim();
                if (LORA_KEYS.contains(key)) {
                    loraSets.put(key, kv.substring(eq + 1).trim());
                } else {
                    trainerConfig = trainerConfig.with(key, kv.substring(eq + 1));
                }
            }
            loraConfig = loraConfig(request == null ? LoraSpec.defaults() : request.lora(), loraSets,
                    trainerConfig.seed());
            if (prepared != null) {
                if (evalData != null) {
                    throw new IllegalArgumentException("--eval-data does not go with --prepared: its test shards "
                            + "are the held-out set");
                }
                return trainPrepared(trainerConfig, loraConfig, quantization, stdout);
            }
            llama = HfConfigReader.read(model);
            train = checkedRows(data, llama.vocabSize());
            eval = evalData == null ? List.of() : checkedRows(evalData, llama.vocabSize());
        } catch (IllegalArgumentException | InvalidRequestException | StageFailure e) {
            err.println("orpo train: " + e.getMessage());
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        boolean terminal = terminalOverride != null ? terminalOverride : System.console() != null;
        try (NDManager manager = NDManager.newBaseManager();
             CheckpointReader weights = CheckpointReader.open(model);
             LlamaModel lm = LlamaModel.load(llama, weights, manager, base)) {
            lm.applyLora(loraConfig);
            OrpoTrainer trainer = new OrpoTrainer(lm, trainerConfig, train, eval, out, model.toString());
            trainer.addListener(terminal ? new TrainOutput.ProgressLines(stdout)
                    : new TrainOutput.JsonLines(stdout));
            if (resume == null) {
                trainer.train();
            } else {
                trainer.resume(resume);
            }
            Checkpoints.writeAdapter(out.resolve("adapter"), lm, model.toString());
            stdout.flush();
            return ExitCodes.OK;
        }
    }

    /** --prepared: {@link TrainStage} (trainer-service's code path); the final adapter is copied to OUT/adapter. */
    private int trainPrepared(TrainerConfig trainerConfig, LoraConfig loraConfig, QuantizationSpec quantization,
                              PrintWriter stdout) throws IOException {
        boolean terminal = terminalOverride != null ? terminalOverride : System.console() != null;
        TrainerListener printer = terminal ? new TrainOutput.ProgressLines(stdout)
                : new TrainOutput.JsonLines(stdout);
        TrainStage.Outcome outcome = TrainStage.run(trainerConfig, loraConfig, quantization, new TrainStage.Inputs(model,
                model.toString(), prepared, vocabSize, out, resume), new TrainStageListener() {
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
                }, () -> false);
        Path adapter = out.resolve("adapter");
        java.nio.file.Files.createDirectories(adapter);
        for (String file : List.of("adapter_config.json", "adapter_model.safetensors")) {
            java.nio.file.Files.copy(outcome.result().finalCheckpoint().resolve(file), adapter.resolve(file),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        stdout.flush();
        return ExitCodes.OK;
    }

    /** The request's TRL-named training arguments as a trainer config (max_length/max_prompt_length: data prep). */
    static TrainerConfig trainerConfig(TrainingArgs a) {
        return TrainStage.trainerConfig(a);
    }

    /** PEFT-named LoRA settings with {@code --set} overrides; modules_to_save needs the data stage (resized vocab). */
    static LoraConfig loraConfig(LoraSpec spec, Map<String, String> sets, long seed) {
        if (spec.modulesToSave() != null && !spec.modulesToSave().isEmpty()) {
            throw new IllegalArgumentException("lora.modules_to_save " + spec.modulesToSave() + " is not supported by"
                    + " orpo train on token-id data (embeddings are only trained after a vocabulary resize)");
        }
        int r = spec.r();
        double alpha = spec.loraAlpha();
        double dropout = spec.loraDropout();
        List<String> targets = spec.targetModules();
        boolean rslora = spec.useRslora();
        try {
            for (Map.Entry<String, String> e : sets.entrySet()) {
                switch (e.getKey()) {
                    case "r" -> r = Integer.parseInt(e.getValue());
                    case "lora_alpha" -> alpha = Double.parseDouble(e.getValue());
                    case "lora_dropout" -> dropout = Double.parseDouble(e.getValue());
                    case "target_modules" -> targets = List.of(e.getValue().split("\\s*,\\s*"));
                    case "use_rslora" -> rslora = Boolean.parseBoolean(e.getValue());
                    default -> throw new IllegalStateException(e.getKey());
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--set LoRA value is not a number: " + e.getMessage(), e);
        }
        EnumSet<LoraTarget> set = EnumSet.noneOf(LoraTarget.class);
        for (String t : targets) {
            set.add(LoraTarget.fromModuleName(t));
        }
        return new LoraConfig(r, alpha, dropout, set, rslora, seed);
    }

    private static List<PreferencePair> checkedRows(Path file, int vocab) throws IOException {
        if (!java.nio.file.Files.isRegularFile(file)) {
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
