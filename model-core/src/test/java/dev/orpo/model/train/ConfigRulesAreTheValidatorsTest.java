package dev.orpo.model.train;

import dev.orpo.contracts.json.Json;
import dev.orpo.contracts.request.FieldError;
import dev.orpo.contracts.request.LoraSpec;
import dev.orpo.contracts.request.QuantizationSpec;
import dev.orpo.contracts.request.RequestValidator;
import dev.orpo.contracts.request.TrainingArgs;
import dev.orpo.contracts.request.TrainingRequest;
import dev.orpo.model.lora.LoraConfig;
import dev.orpo.model.quant.Nf4Config;
import dev.orpo.model.text.PreferenceTokenizationConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Walks every field of every config a request is mapped onto (trainer, optimizer, schedule, LoRA, tokenization, NF4)
 * through boundary values, and proves that the config accepts a value exactly when the request validator does, naming
 * the same field: a request that passes {@code orpo submit} never fails later on a rule the validator did not know.
 */
class ConfigRulesAreTheValidatorsTest {
    private static final List<Object> DOUBLES = List.of(-1.0, -1e-9, 0.0, 1e-9, 0.5, 0.999, 1.0, 1.5, 2.0, 500.0,
            Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
    private static final List<Object> INTS = List.of(-2, -1, 0, 1, 2, 7);
    private static final List<Object> LONGS = List.of(-1L, 0L, 42L);
    private static final List<Object> BOOLEANS = List.of(true, false);
    private static final Map<String, List<Object>> WORDS = Map.of(
            "lr_scheduler_type", List.of("linear", "cosine", "constant", "constant_with_warmup", "polynomial", ""),
            "optim", List.of("adamw_torch", "adamw_8bit", "paged_adamw_8bit", "adamw_bnb_8bit", "sgd"),
            "batch_layout", List.of("two_rows", "prefix_shared", "packed", "Packed", "stacked", ""));

    @Test
    void everyTrainerConfigFieldIsAcceptedExactlyWhenTheValidatorAcceptsIt() {
        Map<String, Object> defaults = TrainerConfig.defaults().asMap();
        int walked = 0;
        for (Map.Entry<String, Object> field : defaults.entrySet()) {
            for (Object value : candidates(field.getKey(), field.getValue())) {
                Map<String, Object> wire = new LinkedHashMap<>(defaults);
                wire.put(field.getKey(), value);
                List<FieldError> errors = RequestValidator.trainingErrors(
                        Json.mapper().convertValue(wire, TrainingArgs.class));
                String what = field.getKey() + "=" + value;
                TrainerConfig config;
                try {
                    config = TrainerConfig.defaults().with(field.getKey(), String.valueOf(value));
                } catch (IllegalArgumentException e) {
                    assertTrue(errors.stream().anyMatch(err -> err.path().equals("training." + field.getKey())),
                            what + ": the trainer refused it (" + e.getMessage() + ") but the validator said "
                                    + errors);
                    walked++;
                    continue;
                }
                assertEquals(List.of(), errors, what + ": the trainer accepts it");
                // what the trainer derives from a valid config never fails either
                config.adam();
                int total = config.totalSteps(100);
                config.schedule(total).lr(0);
                config.evalEvery(total);
                config.saveEvery(total);
                walked++;
            }
        }
        assertTrue(walked > 150, "walked " + walked + " values");
    }

    @Test
    void everyLoraConfigRuleIsTheValidators() {
        for (Object r : INTS) {
            for (Object alpha : DOUBLES) {
                for (Object dropout : DOUBLES) {
                    LoraSpec spec = new LoraSpec((Integer) r, (Double) alpha, (Double) dropout, null, null, null);
                    List<FieldError> errors = RequestValidator.loraErrors(spec);
                    agree(errors, () -> LoraConfig.of(spec, 1).toPeft(List.of(), "base"),
                            "r=" + r + " alpha=" + alpha + " dropout=" + dropout);
                }
            }
        }
    }

    @Test
    void everyTokenizationRuleIsTheValidators() {
        List<Object> lengths = List.of(-1, 0, 1, 2, 3, 512, 1024);
        for (Object maxLength : lengths) {
            for (Object maxPrompt : lengths) {
                for (String mode : List.of("keep_end", "keep_start", "keep_middle")) {
                    TrainingArgs args = Json.mapper().convertValue(Map.of("max_length", maxLength,
                            "max_prompt_length", maxPrompt, "truncation_mode", mode), TrainingArgs.class);
                    agree(RequestValidator.trainingErrors(args), () -> PreferenceTokenizationConfig.of(args),
                            maxLength + "/" + maxPrompt + "/" + mode);
                }
            }
        }
    }

    @Test
    void everyNf4RuleIsTheValidators() {
        for (int blockSize : new int[] {-64, 0, 1, 2, 3, 48, 64, 128, 4096}) {
            QuantizationSpec q = new QuantizationSpec(QuantizationSpec.NF4, true, blockSize);
            TrainingRequest request = new TrainingRequest(dev.orpo.contracts.request.ModelSpec.of("m"),
                    dev.orpo.contracts.request.DatasetSpec.of("d.jsonl"), null, null, q, null, null, null);
            agree(RequestValidator.validate(request), () -> new Nf4Config(q.blockSize(), q.doubleQuant()),
                    "block_size=" + blockSize);
        }
    }

    /** The config is built exactly when the validator found nothing. */
    private static void agree(List<FieldError> errors, Runnable build, String what) {
        try {
            build.run();
        } catch (IllegalArgumentException e) {
            assertTrue(!errors.isEmpty(), what + ": the config refused it (" + e.getMessage()
                    + ") but the validator accepted it");
            return;
        }
        if (!errors.isEmpty()) {
            fail(what + ": the config accepts it but the validator said " + errors);
        }
    }

    private static List<Object> candidates(String key, Object current) {
        if (WORDS.containsKey(key)) {
            return WORDS.get(key);
        }
        List<Object> out = new ArrayList<>();
        if (current instanceof Double) {
            out.addAll(DOUBLES);
        } else if (current instanceof Integer) {
            out.addAll(INTS);
        } else if (current instanceof Long) {
            out.addAll(LONGS);
        } else if (current instanceof Boolean) {
            out.addAll(BOOLEANS);
        } else {
            throw new IllegalStateException("no candidates for " + key + " (" + current.getClass() + ")");
        }
        return out;
    }
}
