package dev.orpo.stages.resolve;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HubAccessTest {
    @Test
    void enabledByDefaultOnThePublicHubWithTheTokenFromHfToken() {
        HubAccess a = HubAccess.fromEnvironment(Map.of("HF_TOKEN", "hf_abc"));
        assertTrue(a.enabled());
        assertEquals(HubClient.DEFAULT_BASE_URL, a.baseUrl());
        assertEquals("hf_abc", a.token());
        assertNotNull(a.client());
        assertFalse(a.toString().contains("hf_abc"), a.toString());
    }

    @Test
    void ownSettingsWinOverHuggingFaceHubVariables() {
        HubAccess a = HubAccess.fromEnvironment(Map.of("ORPO_HUB_URL", "http://hub.local/", "HF_ENDPOINT",
                "http://mirror", "ORPO_HUB_TOKEN", "mine", "HF_TOKEN", "theirs"));
        assertEquals("http://hub.local", a.baseUrl());
        assertEquals("mine", a.token());
        assertEquals("http://mirror", HubAccess.fromEnvironment(Map.of("HF_ENDPOINT", "http://mirror")).baseUrl());
    }

    @Test
    void disabledAccessHasNoClient() {
        HubAccess a = HubAccess.fromEnvironment(Map.of("ORPO_HUB_ENABLED", "false", "HF_TOKEN", "t"));
        assertFalse(a.enabled());
        assertNull(a.client());
        assertFalse(HubAccess.from(Map.of("orpo.hub.enabled", "FALSE")::get).enabled());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HubAccess.fromEnvironment(Map.of("ORPO_HUB_ENABLED", "no")));
        assertTrue(e.getMessage().contains("orpo.hub.enabled"), e.getMessage());
    }
}
