package dev.orpo.cli;

import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.stages.StageFailure;
import dev.orpo.stages.prepare.PrepareResult;
import dev.orpo.stages.prepare.PrepareStage;
import dev.orpo.stages.prepare.PrepareStageConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

/**
 * {@code orpo prepare}: the dataset stage on this machine (no object store): tokenizes and splits a local dataset
 * with a local model's tokenizer, exactly as dataset-service does ({@link PrepareStage#prepareLocal}), and prints the
 * manifest summary.
 */
@Command(name = "prepare", mixinStandardHelpOptions = true,
        description = "Tokenize and split a preference dataset locally (shards, rejects.jsonl, manifest.json,"
                + " tokenizer/), byte-identical to what dataset-service uploads for the same input.")
public class PrepareCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, description = "dataset file: .parquet, .jsonl or .json")
    Path data;

    @Option(names = "--model", required = true, description = "model directory with tokenizer.json"
            + " (+ tokenizer_config.json)")
    Path model;

    @Option(names = "--out", required = true, description = "output directory (must not exist or be empty)")
    Path out;

    @Option(names = "--config", description = "request file (YAML/JSON); its dataset, chat_template and training"
            + " sections are used (model and dataset.uri come from --model / --data)")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "override a request field by its dotted wire"
            + " name, e.g. dataset.select=100, chat_template.mode=chatml, training.max_length=512; repeatable")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--max-reject-fraction", defaultValue = "0.1",
            description = "fail when more than this share of rows is malformed; default ${DEFAULT-VALUE}")
    double maxRejectFraction;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrepareResult r;
        try {
            TrainingRequest request = request();
            r = new PrepareStage(new PrepareStageConfig(maxRejectFraction,
                    PrepareStageConfig.DEFAULTS.options())).prepareLocal(request, model, data, out);
        } catch (IllegalArgumentException | IOException e) {
            err.println("orpo prepare: " + e.getMessage());
            err.flush();
            return ExitCodes.BAD_INPUT;
        } catch (StageFailure e) {
            err.println("orpo prepare: " + e.getMessage());
            e.errors().forEach(fe -> err.println("  " + fe));
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "prepared %s -> %s%n", data, out);
        o.printf(Locale.ROOT, "rows: read %d, kept %d (train %d, test %d), rejected %d (see rejects.jsonl)%n",
                r.read(), r.kept(), r.trainRows(), r.testRows(), r.rejectedRows());
        o.printf(Locale.ROOT, "tokens: train %d, test %d; vocab %d%s%n", r.trainTokens(), r.testTokens(),
                r.vocabSize(), r.embeddingRows() == null ? "" : ", resize embeddings to " + r.embeddingRows());
        o.printf(Locale.ROOT, "manifest.json sha256 %s%n", r.manifestSha256());
        o.flush();
        return ExitCodes.OK;
    }

    /** The config file (or defaults) with --model, --data and every --set applied, then validated. */
    TrainingRequest request() throws IOException {
        return LocalRequest.of(config, model.toString(), data.toString(), overrides, UnaryOperator.identity());
    }
}
