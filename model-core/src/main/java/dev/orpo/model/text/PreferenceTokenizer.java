package dev.orpo.model.text;

import dev.orpo.model.orpo.PreferencePair;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Turns a {@link PreferenceExample} into the {@link PreferencePair} TRL's ORPOTrainer would train on.
 * <ol>
 *   <li>Text (TRL {@code apply_chat_template}): prompt = template(prompt turns, add_generation_prompt); each answer =
 *   template(prompt + answer turns) minus that prompt text, which must be its prefix.</li>
 *   <li>Ids (TRL {@code build_tokenized_answer}): prompt and prompt + answer tokenized without special tokens; if the
 *   prompt's ids are not a prefix of the joint ids (a merge across the boundary), the answer starts one token
 *   earlier.</li>
 *   <li>Special tokens (TRL {@code add_bos_token_if_needed} / {@code add_eos_token_if_needed}): BOS prepended only
 *   when the prompt does not already start with it (Llama 3 templates emit it: never doubled), EOS appended only
 *   when the answer does not already end with it.</li>
 *   <li>Truncation (TRL ≤ 0.28's {@code tokenize_row}, the seed's): when prompt + longer answer exceeds maxLength,
 *   the prompt is cut to its last ({@code keep_end}) or first ({@code keep_start}) maxPromptLength tokens; if the pair
 *   is still too long, each answer is cut to maxLength − maxPromptLength tokens, however short the prompt is. (TRL
 *   ≥ 0.29 no longer cuts prompts and cuts answers to maxLength − prompt length.) BOS and EOS are added before
 *   truncation, so a cut answer loses its EOS and {@code keep_end} drops the BOS, as in TRL.</li>
 * </ol>
 */
public final class PreferenceTokenizer {

    private final HfTokenizer tokenizer;
    private final ChatTemplate template;
    private final PreferenceTokenizationConfig config;

    /** @param template may be null when only {@link PreferenceExample.Plain} rows are tokenized */
    public PreferenceTokenizer(HfTokenizer tokenizer, ChatTemplate template, PreferenceTokenizationConfig config) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.config = config;
        if (tokenizer.eosTokenId().isEmpty()) {
            throw new IllegalArgumentException("tokenizer has no eos_token: ORPO appends EOS to every answer");
        }
    }

    public PreferenceTokenizationConfig config() {
        return config;
    }

    /** The chat template's source, if one is set. */
    public java.util.Optional<String> templateSource() {
        return java.util.Optional.ofNullable(template).map(ChatTemplate::source);
    }

    /** The texts TRL tokenizes for this example (step 1). */
    public PreferenceText render(PreferenceExample example) {
        if (example instanceof PreferenceExample.Plain p) {
            return new PreferenceText(p.prompt(), p.chosen(), p.rejected());
        }
        PreferenceExample.Conversation c = (PreferenceExample.Conversation) example;
        if (template == null) {
            throw new IllegalArgumentException("conversation rows need a chat template");
        }
        String lastRole = c.prompt().get(c.prompt().size() - 1).role();
        if (!lastRole.equals("user")) {
            throw new IllegalArgumentException("prompt must end with a user turn, ends with " + lastRole);
        }
        String prompt = renderTurns(c.prompt(), true);
        return new PreferenceText(prompt, completion(prompt, c.prompt(), c.chosen(), "chosen"),
                completion(prompt, c.prompt(), c.rejected(), "rejected"));
    }

    private String completion(String prompt, List<ChatMessage> promptTurns, List<ChatMessage> answer, String side) {
        List<ChatMessage> all = new ArrayList<>(promptTurns);
        all.addAll(answer);
        String full = renderTurns(all, false);
        if (!full.startsWith(prompt)) {
            throw new IllegalArgumentException("chat template applied to prompt + " + side + " does not start with "
                    + "the template applied to the prompt alone; this template is not supported by TRL's rules");
        }
        String text = full.substring(prompt.length());
        if (text.isEmpty()) {
            throw new IllegalArgumentException(side + " renders to an empty completion");
        }
        return text;
    }

    private String renderTurns(List<ChatMessage> turns, boolean addGenerationPrompt) {
        return template.render(turns, addGenerationPrompt, tokenizer.bosToken(), tokenizer.eosToken(), Map.of());
    }

    /** Steps 1–4 for one row. */
    public TokenizedPreference tokenize(PreferenceExample example) {
        PreferenceText text = render(example);
        return tokenize(text.prompt(), text.chosen(), text.rejected());
    }

    /** Steps 2–4 (TRL {@code tokenize_row}) on already-rendered texts. */
    public TokenizedPreference tokenize(String prompt, String chosen, String rejected) {
        int[][] c = splitAnswer(prompt, chosen);
        int[][] r = splitAnswer(prompt, rejected);
        checkPromptsAgree(c[0], r[0]);

        // BOS at the head of each prompt unless already there
        OptionalInt bos = tokenizer.bosTokenId();
        int[] chosenPrompt = bos.isPresent() ? prependIfMissing(bos.getAsInt(), c[0]) : c[0];
        int[] rejectedPrompt = bos.isPresent() ? prependIfMissing(bos.getAsInt(), r[0]) : r[0];

        // EOS at the end of each answer unless already there
        int eos = tokenizer.eosTokenId().getAsInt();
        int[] chosenAnswer = appendIfMissing(eos, c[1]);
        int[] rejectedAnswer = appendIfMissing(eos, r[1]);

        // too long: cut the prompt first, then the answers
        int longer = Math.max(chosenAnswer.length, rejectedAnswer.length);
        int[] cp = truncatePrompt(chosenPrompt, longer);
        int[] rp = truncatePrompt(rejectedPrompt, longer);
        boolean promptTruncated = cp.length < chosenPrompt.length || rp.length < rejectedPrompt.length;
        int[] ca = truncateAnswer(cp, chosenAnswer, longer);
        int[] ra = truncateAnswer(rp, rejectedAnswer, longer);
        boolean answersTruncated = ca.length < chosenAnswer.length || ra.length < rejectedAnswer.length;

        PreferencePair pair = new PreferencePair(concat(cp, ca), cp.length, concat(rp, ra), rp.length);
        return new TokenizedPreference(pair, promptTruncated, answersTruncated);
    }

    /** TRL build_tokenized_answer: {prompt ids, answer ids} taken from the joint tokenization. */
    private int[][] splitAnswer(String prompt, String answer) {
        int[] full = tokenizer.encode(prompt + answer);
        int[] promptIds = tokenizer.encode(prompt);
        if (promptIds.length > full.length) {
            throw new IllegalArgumentException("prompt tokenizes longer than prompt + answer");
        }
        int start = promptIds.length;
        if (!Arrays.equals(promptIds, Arrays.copyOf(full, start))) {
            start -= 1; // the last prompt token merged with the answer's first characters
        }
        return new int[][] {Arrays.copyOf(full, start), Arrays.copyOfRange(full, start, full.length)};
    }

    private static void checkPromptsAgree(int[] chosenPrompt, int[] rejectedPrompt) {
        int differing = 0;
        for (int i = 0; i < Math.min(chosenPrompt.length, rejectedPrompt.length); i++) {
            differing += chosenPrompt[i] != rejectedPrompt[i] ? 1 : 0;
        }
        if (differing > 1 || Math.abs(chosenPrompt.length - rejectedPrompt.length) > 1) {
            throw new IllegalArgumentException("chosen and rejected prompt ids differ by more than the last token");
        }
    }

    private int[] truncatePrompt(int[] prompt, int longerAnswer) {
        if (prompt.length + longerAnswer <= config.maxLength() || prompt.length <= config.maxPromptLength()) {
            return prompt;
        }
        return config.truncationMode() == PreferenceTokenizationConfig.TruncationMode.KEEP_END
                ? Arrays.copyOfRange(prompt, prompt.length - config.maxPromptLength(), prompt.length)
                : Arrays.copyOf(prompt, config.maxPromptLength());
    }

    private int[] truncateAnswer(int[] prompt, int[] answer, int longerAnswer) {
        if (prompt.length + longerAnswer <= config.maxLength()) {
            return answer;
        }
        return Arrays.copyOf(answer, Math.min(answer.length, config.maxLength() - config.maxPromptLength()));
    }

    private static int[] prependIfMissing(int token, int[] ids) {
        if (ids.length > 0 && ids[0] == token) {
            return ids;
        }
        return concat(new int[] {token}, ids);
    }

    private static int[] appendIfMissing(int token, int[] ids) {
        if (ids.length > 0 && ids[ids.length - 1] == token) {
            return ids;
        }
        return concat(ids, new int[] {token});
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The three texts TRL tokenizes. */
    public record PreferenceText(String prompt, String chosen, String rejected) {
    }

    /**
     * @param promptTruncated  the prompt was cut to maxPromptLength
     * @param answersTruncated an answer was cut to fit maxLength
     */
    public record TokenizedPreference(PreferencePair pair, boolean promptTruncated, boolean answersTruncated) {
        public boolean truncated() {
            return promptTruncated || answersTruncated;
        }
    }
}
