package dev.orpo.contracts.request;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** docs/request.md must document every field of the request. */
class RequestDocTest {
    private static final PropertyNamingStrategies.NamingBase SNAKE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    @Test
    void everyRequestFieldIsDocumented() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "request.md"));
        List<String> missing = new ArrayList<>();
        for (RecordComponent section : TrainingRequest.class.getRecordComponents()) {
            String name = SNAKE.translate(section.getName());
            if (!doc.contains("## `" + name + "`")) {
                missing.add(name);
            }
            collect(section.getType(), "", doc, missing);
        }
        assertEquals(List.of(), missing, "fields missing from docs/request.md");
    }

    private static void collect(Class<?> type, String prefix, String doc, List<String> missing) {
        for (RecordComponent c : type.getRecordComponents()) {
            String name = prefix + SNAKE.translate(c.getName());
            if (c.getType().isRecord()) {
                collect(c.getType(), name + ".", doc, missing);
            } else if (!doc.contains("| `" + name + "` |")) {
                missing.add(name);
            }
        }
    }
}
