package dev.orpo.stages.evaluate;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.eval.EvalSettings;
import dev.orpo.model.eval.Evaluator;
import dev.orpo.model.eval.ModelScores;
import dev.orpo.model.eval.Replier;
import dev.orpo.model.generate.GenerationConfig;
import dev.orpo.model.generate.PromptSample;
import dev.orpo.model.generate.PromptSamples;
import dev.orpo.model.generate.SamplingConfig;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.text.HfTokenizer;

import java.util.List;
import java.util.Set;

/**
 * One loaded model evaluated with its tokenizer, the same way in {@code orpo eval} and eval-service: tasks encoded
 * with the tokenizer (lm-eval's prefix token for empty contexts), generation tasks and samples answered greedily
 * through its chat template ({@link PromptSamples}).
 */
public final class ModelEvaluation {
    private ModelEvaluation() {
    }

    /**
     * @param tokenizer may be null when the inputs need no text (preference pairs only)
     * @param maxNewTokens reply length for generation tasks
     */
    public static ModelScores evaluate(String label, LlamaModel model, HfTokenizer tokenizer, NDManager manager,
                                       EvalSettings settings, Evaluator.Inputs inputs, int maxNewTokens) {
        Evaluator evaluator = tokenizer == null
                ? new Evaluator(text -> {
                    throw new IllegalStateException("no tokenizer to encode task text with");
                }, -1, settings)
                : new Evaluator(tokenizer::encode, prefixTokenId(model.config(), tokenizer), settings);
        Replier replier = tokenizer == null ? null : prompts -> replies(model, tokenizer, manager, prompts,
                maxNewTokens).stream().map(PromptSample::reply).toList();
        return evaluator.evaluate(new Evaluator.Subject(label, model::logits, model.config().maxPositionEmbeddings(),
                manager, replier), inputs);
    }

    /** Greedy replies to the prompts, each one user turn through the tokenizer's chat template. */
    public static List<PromptSample> replies(LlamaModel model, HfTokenizer tokenizer, NDManager manager,
                                             List<String> prompts, int maxNewTokens) {
        return new PromptSamples(model, tokenizer, manager).generate(prompts,
                new GenerationConfig(maxNewTokens, Set.of(), SamplingConfig.GREEDY));
    }

    /** lm-eval's prefix token for empty contexts: BOS, else the first EOS; -1 when neither is known. */
    public static int prefixTokenId(LlamaConfig config, HfTokenizer tokenizer) {
        if (tokenizer.bosTokenId().isPresent()) {
            return tokenizer.bosTokenId().getAsInt();
        }
        if (config.bosTokenId() != null) {
            return config.bosTokenId();
        }
        return config.eosTokenIds().isEmpty() ? -1 : config.eosTokenIds().get(0);
    }
}
