package dev.orpo.model.text;

import java.util.ArrayList;
import java.util.List;

/**
 * One preference row before tokenization: either chat turns (templated by {@link PreferenceTokenizer}) or plain
 * strings used as they are (TRL's "standard" format, e.g. Anthropic-HH transcripts).
 */
public sealed interface PreferenceExample {

    /**
     * @param prompt   the shared turns; must end with a user turn (TRL then adds the generation prompt)
     * @param chosen   the preferred completion turns (usually one assistant message)
     * @param rejected the other completion turns
     */
    record Conversation(List<ChatMessage> prompt, List<ChatMessage> chosen, List<ChatMessage> rejected)
            implements PreferenceExample {
        public Conversation {
            prompt = nonEmpty("prompt", prompt);
            chosen = nonEmpty("chosen", chosen);
            rejected = nonEmpty("rejected", rejected);
        }

        /** Prepends a system turn, unless {@code system} is null/blank or the prompt already starts with one. */
        public Conversation withSystem(String system) {
            if (system == null || system.isBlank() || prompt.get(0).role().equals("system")) {
                return this;
            }
            List<ChatMessage> withSystem = new ArrayList<>();
            withSystem.add(ChatMessage.system(system));
            withSystem.addAll(prompt);
            return new Conversation(withSystem, chosen, rejected);
        }
    }

    /** Already-formatted texts; the answers are appended to the prompt exactly as given. */
    record Plain(String prompt, String chosen, String rejected) implements PreferenceExample {
        public Plain {
            if (prompt == null || chosen == null || rejected == null) {
                throw new IllegalArgumentException("prompt, chosen and rejected are required");
            }
            if (chosen.isEmpty() || rejected.isEmpty()) {
                throw new IllegalArgumentException((chosen.isEmpty() ? "chosen" : "rejected") + " answer is empty");
            }
        }
    }

    /** Prompt turns plus one assistant answer each. */
    static Conversation conversation(List<ChatMessage> prompt, String chosen, String rejected) {
        return new Conversation(prompt, List.of(ChatMessage.assistant(chosen)), List.of(ChatMessage.assistant(rejected)));
    }

    /**
     * TRL's {@code extract_prompt} for message lists (orpo-dpo-mix-40k rows): the longest common prefix of turns is
     * the prompt, the rest of each list its completion.
     */
    static Conversation sharedPrompt(List<ChatMessage> chosen, List<ChatMessage> rejected) {
        nonEmpty("chosen", chosen);
        nonEmpty("rejected", rejected);
        int n = 0;
        while (n < Math.min(chosen.size(), rejected.size()) && chosen.get(n).equals(rejected.get(n))) {
            n++;
        }
        if (n == chosen.size() || n == rejected.size()) {
            throw new IllegalArgumentException(chosen.equals(rejected) ? "chosen and rejected are identical"
                    : "one of chosen/rejected is a prefix of the other: no completion to compare");
        }
        if (n == 0) {
            throw new IllegalArgumentException("chosen and rejected share no prompt turns");
        }
        return new Conversation(chosen.subList(0, n), chosen.subList(n, chosen.size()),
                rejected.subList(n, rejected.size()));
    }

    /**
     * TRL's {@code extract_prompt} for strings (Anthropic-HH style): the common character prefix is the prompt,
     * backed off by one when it ends in a space so the answer keeps its leading space.
     */
    static Plain sharedPrompt(String chosen, String rejected) {
        if (chosen == null || rejected == null) {
            throw new IllegalArgumentException("chosen and rejected are required");
        }
        if (chosen.equals(rejected)) {
            throw new IllegalArgumentException("chosen and rejected are identical");
        }
        int n = 0;
        while (n < Math.min(chosen.length(), rejected.length()) && chosen.charAt(n) == rejected.charAt(n)) {
            n++;
        }
        if (n > 0 && chosen.charAt(n - 1) == ' ') {
            n--;
        }
        return new Plain(chosen.substring(0, n), chosen.substring(n), rejected.substring(n));
    }

    private static List<ChatMessage> nonEmpty(String field, List<ChatMessage> turns) {
        if (turns == null || turns.isEmpty()) {
            throw new IllegalArgumentException(field + " has no messages");
        }
        return List.copyOf(turns);
    }
}
