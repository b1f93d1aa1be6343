package dev.orpo.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.llama.PretrainedLlama;
import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.score.CausalLm;
import dev.orpo.model.score.PreferenceTextJsonl;
import dev.orpo.model.score.RowScore;
import dev.orpo.model.score.ScoreConfig;
import dev.orpo.model.score.ScoreReport;
import dev.orpo.model.score.Scorer;
import dev.orpo.model.text.PreferenceTokenizationConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code orpo score}: ORPO log-probs, log odds and NLL of tokenized preference pairs under a model (plus adapter),
 * one JSON line per pair, then {@code {"summary": {...}}} with TRL's metric names and the loss.
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Score preference pairs with ORPO: JSONL text rows (prompt/chosen/rejected, strings or message lists;"
                + " the model's tokenizer and chat template) or token-id rows (prompt_ids, chosen_ids, rejected_ids).")
public class ScoreCommand implements Callable<Integer>, EngineCommand {

    /** Builds the forward pass of a base model directory with an optional PEFT adapter directory. */
    @FunctionalInterface
    public interface ModelLoader {
        CausalLm load(Path modelDir, Path adapterDir, NDManager manager) throws IOException;
    }

    /** Loads a Hugging Face model directory (+ PEFT adapter) with our Llama implementation. */
    static final ModelLoader LLAMA_LOADER = (model, adapter, manager) -> {
        LlamaModel llama = PretrainedLlama.load(model, adapter, manager);
        return llama::logits;
    };

    @Option(names = "--model", required = true, description = "HF model directory (config.json + safetensors)")
    Path model;

    @Option(names = "--adapter", description = "PEFT LoRA adapter directory applied on top of the model")
    Path adapter;

    @Option(names = "--data", required = true, description = "JSONL: text rows or {prompt_ids, chosen_ids, rejected_ids}")
    Path data;

    @Option(names = "--beta", defaultValue = "0.1", description = "odds-ratio weight λ (TRL beta), default ${DEFAULT-VALUE}")
    double beta;

    @Option(names = "--no-prompt-loss", description = "NLL over completion tokens only (TRL includes the prompt)")
    boolean noPromptLoss;

    @Option(names = "--max-length", defaultValue = "1024",
            description = "text rows: prompt + answer tokens, default ${DEFAULT-VALUE} (the seed's)")
    int maxLength;

    @Option(names = "--max-prompt-length", defaultValue = "512",
            description = "text rows: prompt tokens kept when a pair is too long, default ${DEFAULT-VALUE} (the seed's)")
    int maxPromptLength;

    @Option(names = "--truncation-mode", defaultValue = "keep_end",
            description = "text rows: which end of a too-long prompt survives, keep_end (TRL's default) or keep_start")
    String truncationMode;

    @Option(names = "--batch-size", defaultValue = "8", description = "pairs per forward pass, default ${DEFAULT-VALUE}")
    int batchSize;

    private final ModelLoader loader;
    private final PrintWriter out;

    public ScoreCommand() {
        this(LLAMA_LOADER, new PrintWriter(System.out, true));
    }

    ScoreCommand(ModelLoader loader, PrintWriter out) {
        this.loader = loader;
        this.out = out;
    }

    @Override
    public Integer call() throws IOException {
        ScoreConfig config = new ScoreConfig(beta, !noPromptLoss, batchSize, ScoreConfig.DEFAULTS.padId());
        List<PreferencePair> pairs = PreferenceTextJsonl.readIdsOrText(data, ChatCommand.tokenizerDir(model, adapter),
                new PreferenceTokenizationConfig(maxLength, maxPromptLength,
                        PreferenceTokenizationConfig.TruncationMode.parse(truncationMode)));
        ObjectMapper json = new ObjectMapper();
        try (NDManager manager = NDManager.newBaseManager()) {
            CausalLm lm = loader.load(model, adapter, manager);
            ScoreReport report = new Scorer(lm, manager, config).score(pairs);
            for (RowScore r : report.rows()) {
                ObjectNode row = json.createObjectNode();
                row.put("index", r.index());
                row.put("chosen_logps", r.chosenLogps());
                row.put("rejected_logps", r.rejectedLogps());
                row.put("log_odds", r.logOdds());
                row.put("nll", r.nll());
                out.println(json.writeValueAsString(row));
            }
            ObjectNode summary = json.createObjectNode();
            ObjectNode values = summary.putObject("summary");
            for (Map.Entry<String, Double> e : report.summary().entrySet()) {
                values.put(e.getKey(), e.getValue());
            }
            out.println(json.writeValueAsString(summary));
        }
        out.flush();
        return 0;
    }
}
