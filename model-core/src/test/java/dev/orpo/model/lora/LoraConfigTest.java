package dev.orpo.model.lora;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoraConfigTest {
    static final Set<LoraTarget> QV = EnumSet.of(LoraTarget.Q, LoraTarget.V);

    @Test
    void scalingIsAlphaOverRankOrOverRootRankWithRslora() {
        assertEquals(2.0, new LoraConfig(16, 32, 0, QV, false, 1).scaling());
        assertEquals(8.0, new LoraConfig(16, 32, 0, QV, true, 1).scaling());
    }

    @Test
    void invalidValuesAreRejectedNamingTheField() {
        assertMessage("lora.r", () -> new LoraConfig(0, 32, 0, QV, false, 1));
        assertMessage("lora.lora_alpha", () -> new LoraConfig(8, 0, 0, QV, false, 1));
        assertMessage("lora.lora_alpha", () -> new LoraConfig(8, Double.POSITIVE_INFINITY, 0, QV, false, 1));
        assertMessage("alpha", () -> new LoraConfig(8, Double.NaN, 0, QV, false, 1));
        assertMessage("dropout", () -> new LoraConfig(8, 16, 1.0, QV, false, 1));
        assertMessage("dropout", () -> new LoraConfig(8, 16, -0.1, QV, false, 1));
        assertMessage("target_modules", () -> new LoraConfig(8, 16, 0, Set.of(), false, 1));
        assertMessage("lm_head", () -> LoraTarget.fromModuleName("lm_head"));
    }

    @Test
    void defaultsTargetEveryLinearLayer() {
        LoraConfig d = LoraConfig.defaults();
        assertEquals(EnumSet.allOf(LoraTarget.class), d.targets());
        assertEquals(2.0, d.scaling());
    }

    @Test
    void targetsParseFromPeftModuleNames() {
        assertEquals(LoraTarget.GATE, LoraTarget.fromModuleName("gate_proj"));
        assertEquals("self_attn.o_proj", LoraTarget.O.path());
    }

    private static void assertMessage(String field, Runnable r) {
        var e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }
}
