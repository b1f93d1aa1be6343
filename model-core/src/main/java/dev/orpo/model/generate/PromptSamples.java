package dev.orpo.model.generate;

import ai.djl.ndarray.NDManager;
import dev.orpo.model.llama.LlamaConfig;
import dev.orpo.model.llama.LlamaModel;
import dev.orpo.model.text.ChatMessage;
import dev.orpo.model.text.ChatTemplate;
import dev.orpo.model.text.HfTokenizer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Replies of a loaded model to chat prompts: each conversation is rendered with the tokenizer's chat template (BOS
 * put in front when the template leaves it out, as TRL tokenized the training pairs), generated with a
 * {@link KvCacheDecoder} and decoded without special tokens. Generation stops at the caller's stop ids plus
 * {@link #stopIds}. Each reply starts a fresh sampler from the config's seed, so the same seed gives the same reply.
 */
public final class PromptSamples {
    /** End-of-turn tokens of common templates (Llama 3, ChatML, Phi-3), stop ids when the vocabulary has them. */
    public static final List<String> END_OF_TURN = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<|end_of_text|>");

    private final LlamaModel model;
    private final HfTokenizer tokenizer;
    private final NDManager manager;
    private final ChatTemplate template;
    private final Set<Integer> stops;

    /**
     * @param manager parent of the decoders' per-reply managers
     * @throws IllegalArgumentException when the tokenizer has no chat template
     */
    public PromptSamples(LlamaModel model, HfTokenizer tokenizer, NDManager manager) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.manager = manager;
        this.template = ChatTemplate.of(tokenizer);
        this.stops = stopIds(model.config(), tokenizer);
    }

    /** One greedy-or-sampled reply per prompt (each a single user turn), in prompt order. */
    public List<PromptSample> generate(List<String> prompts, GenerationConfig config) {
        List<PromptSample> out = new ArrayList<>();
        for (String prompt : prompts) {
            out.add(reply(prompt, List.of(ChatMessage.user(prompt)), config, id -> { }));
        }
        return out;
    }

    /**
     * The reply to the conversation's next assistant turn.
     *
     * @param label   what {@link PromptSample#prompt()} holds (e.g. the last user message)
     * @param onToken called with each new token as it is picked
     */
    public PromptSample reply(String label, List<ChatMessage> conversation, GenerationConfig config,
                              IntConsumer onToken) {
        int[] ids = promptIds(conversation);
        Set<Integer> allStops = new LinkedHashSet<>(stops);
        allStops.addAll(config.stopIds());
        GenerationConfig withStops = new GenerationConfig(config.maxNewTokens(), allStops, config.sampling());
        GenerationResult r;
        try (Decoder decoder = new KvCacheDecoder(model, manager)) {
            r = Generator.generate(decoder, ids, withStops, onToken);
        }
        return new PromptSample(label, tokenizer.decode(r.tokens(), true), r.tokens(), r.reason());
    }

    /** The conversation rendered with a generation prompt and tokenized, BOS first; ids checked against the model. */
    public int[] promptIds(List<ChatMessage> conversation) {
        int[] ids = withBos(tokenizer, tokenizer.encode(template.render(conversation, true, tokenizer)));
        int vocab = model.config().vocabSize();
        for (int id : ids) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("prompt token " + tokenizer.idToToken(id).orElse("#" + id)
                        + " (id " + id + ") is outside the model's vocabulary of " + vocab + " tokens: the tokenizer "
                        + "does not belong to this model");
            }
        }
        return ids;
    }

    /** config.json's EOS ids, the tokenizer's EOS and the {@link #END_OF_TURN} tokens the vocabulary knows. */
    public static Set<Integer> stopIds(LlamaConfig config, HfTokenizer tokenizer) {
        Set<Integer> stops = new LinkedHashSet<>(config.eosTokenIds());
        tokenizer.eosTokenId().ifPresent(stops::add);
        for (String token : END_OF_TURN) {
            tokenizer.tokenToId(token).ifPresent(stops::add);
        }
        return stops;
    }

    /** BOS in front unless the ids already start with it or the tokenizer has none. */
    public static int[] withBos(HfTokenizer tokenizer, int[] ids) {
        OptionalInt bos = tokenizer.bosTokenId();
        if (bos.isEmpty() || (ids.length > 0 && ids[0] == bos.getAsInt())) {
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = bos.getAsInt();
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }
}
