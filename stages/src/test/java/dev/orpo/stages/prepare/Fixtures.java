package dev.orpo.stages.prepare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orpo.model.text.ChatmlSetup;
import dev.orpo.model.text.WordLevelTokenizerFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Test data made by the tests: a word-level tokenizer, an orpo-dpo-mix-40k-shaped Parquet file, HH-style JSONL. */
final class Fixtures {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String[] SPECIALS = {"<unk>", "<|im_start|>", "<|im_end|>"};
    static final String[] WORDS = ("user assistant system what is the colour of sky sea grass blue green red yes no "
            + "maybe why because it just so answer question number one two three four five six seven eight nine "
            + "ten human good bad please tell me more").split(" ");
    static final String[] PUNCT = {"?", ".", ":", "!", ","};

    private Fixtures() {
    }

    /** A WordLevel tokenizer.json over {@link #WORDS} + digits, ChatML specials, ChatML tokenizer_config.json. */
    static Path tokenizer(Path dir) {
        Set<String> vocab = new LinkedHashSet<>(List.of(SPECIALS));
        vocab.addAll(List.of(WORDS));
        vocab.addAll(List.of(PUNCT));
        for (int i = 0; i < 100; i++) {
            vocab.add(Integer.toString(i));
        }
        return WordLevelTokenizerFiles.write(dir, new WordLevelTokenizerFiles.Spec(List.copyOf(vocab),
                Set.of(SPECIALS), false, WordLevelTokenizerFiles.tokens("bos_token", ChatmlSetup.IM_START,
                "eos_token", ChatmlSetup.IM_END, "pad_token", ChatmlSetup.IM_END), ChatmlSetup.CHATML_TEMPLATE));
    }

    static String msg(String role, String content) {
        return content == null ? "{'role': '" + role + "', 'content': NULL}"
                : "{'role': '" + role + "', 'content': '" + content.replace("'", "''") + "'}";
    }

    static String list(String... messages) {
        return "[" + String.join(", ", messages) + "]";
    }

    /**
     * 40 rows in the orpo-dpo-mix-40k schema (source, prompt, chosen/rejected as {role, content} lists sharing the
     * prompt turns, question). Row 37 repeats row 0, row 38 has chosen == rejected, row 39 has a null content.
     */
    static Path orpoDpoMixParquet(Path file) throws SQLException {
        List<String> rows = new ArrayList<>();
        String[] sources = {"src_a", "src_b", "toxic"};
        for (int i = 0; i < 37; i++) {
            String q = "what is number " + i + " ?";
            String user = msg("user", q);
            String chosen;
            String rejected;
            if (i % 5 == 4) { // multi-turn: shared first exchange, then a second question
                String first = msg("assistant", "it is " + i + " .");
                String second = msg("user", "why ?");
                chosen = list(user, first, second, msg("assistant", "because it just is ."));
                rejected = list(user, first, second, msg("assistant", "no ."));
            } else {
                chosen = list(user, msg("assistant", "the answer is " + i + " . " + "tell me more ".repeat(i % 3)));
                rejected = list(user, msg("assistant", "maybe"));
            }
            rows.add(row(sources[i % 3], q, chosen, rejected));
        }
        rows.add(rows.get(0));
        String same = list(msg("user", "what is the sky colour ?"), msg("assistant", "blue"));
        rows.add(row("src_a", "what is the sky colour ?", same, same));
        rows.add(row("src_b", "why ?", list(msg("user", "why ?"), msg("assistant", null)),
                list(msg("user", "why ?"), msg("assistant", "no"))));
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement()) {
            st.execute("CREATE TABLE mix (source VARCHAR, prompt VARCHAR, chosen STRUCT(content VARCHAR, role VARCHAR)[], "
                    + "rejected STRUCT(content VARCHAR, role VARCHAR)[], question VARCHAR)");
            st.execute("INSERT INTO mix VALUES " + String.join(", ", rows));
            st.execute("COPY mix TO '" + file.toAbsolutePath() + "' (FORMAT parquet)");
        }
        return file;
    }

    private static String row(String source, String prompt, String chosen, String rejected) {
        return "('" + source + "', '" + prompt + "', " + chosen + ", " + rejected + ", '" + prompt + "')";
    }

    /** Anthropic-HH style: full transcripts in chosen/rejected, no prompt column. */
    static Path hhJsonl(Path file, int rows) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            String prompt = "\n\nHuman: what is the colour of the sea " + i + " ?\n\nAssistant:";
            ObjectNode n = JSON.createObjectNode();
            n.put("chosen", prompt + " blue , because " + i + " .");
            n.put("rejected", prompt + " red !");
            sb.append(JSON.writeValueAsString(n)).append('\n');
        }
        Files.writeString(file, sb.toString());
        return file;
    }
}
