package dev.orpo.stages.resolve;

import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Whether and how this process may talk to the Hugging Face hub: the one place where the hub URL and {@code HF_TOKEN}
 * are read, for the services (MicroProfile Config) and the CLI (environment) alike.
 *
 * <ul>
 *   <li>{@value #ENABLED} (env {@code ORPO_HUB_ENABLED}), default {@code true}: hub access is opt-out, because the
 *   local stack and the CLI run where a network exists; the cluster's ConfigMap sets it {@code false} unless its
 *   hub-access component (egress + token) is enabled. Disabled, a request naming a hub model or dataset fails
 *   validation with a hint to {@code orpo upload} it instead.</li>
 *   <li>{@value #URL} (env {@code ORPO_HUB_URL}), else {@code HF_ENDPOINT} (as huggingface_hub reads it), else the
 *   public hub.</li>
 *   <li>{@value #TOKEN} (env {@code ORPO_HUB_TOKEN}), else {@code HF_TOKEN}: sent as a bearer token for gated
 *   downloads, required for pushes.</li>
 * </ul>
 *
 * @param enabled whether the hub may be contacted at all
 * @param baseUrl the hub's base URL, no trailing slash
 * @param token   bearer token, or null
 */
public record HubAccess(boolean enabled, String baseUrl, String token) {
    public static final String ENABLED = "orpo.hub.enabled";
    public static final String URL = "orpo.hub.url";
    public static final String TOKEN = "orpo.hub.token";
    /** No hub: every hub id and hub push fails with a hint to upload instead. */
    public static final HubAccess DISABLED = new HubAccess(false, HubClient.DEFAULT_BASE_URL, null);

    public HubAccess {
        baseUrl = baseUrl == null || baseUrl.isBlank() ? HubClient.DEFAULT_BASE_URL : baseUrl.strip();
        baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        token = token == null || token.isBlank() ? null : token.strip();
    }

    /**
     * Reads the settings through {@code config}, which answers a property or environment variable name with its
     * value or null (MicroProfile Config answers both kinds of name).
     */
    public static HubAccess from(UnaryOperator<String> config) {
        String enabled = first(config, ENABLED);
        if (enabled != null && !enabled.equalsIgnoreCase("true") && !enabled.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(ENABLED + " must be true or false, was " + enabled);
        }
        return new HubAccess(enabled == null || Boolean.parseBoolean(enabled), first(config, URL, "HF_ENDPOINT"),
                first(config, TOKEN, "HF_TOKEN"));
    }

    /** The CLI's settings: the same names, as environment variables ({@code ORPO_HUB_ENABLED}, {@code HF_TOKEN}, ...). */
    public static HubAccess fromEnvironment(Map<String, String> env) {
        return from(name -> {
            String v = env.get(name);
            return v != null ? v : env.get(environmentName(name));
        });
    }

    /** The same access with another base URL (a command-line flag); null or blank keeps this one's. */
    public HubAccess withBaseUrl(String url) {
        return url == null || url.isBlank() ? this : new HubAccess(enabled, url, token);
    }

    /** A download client, or null when hub access is disabled. */
    public HubClient client() {
        return enabled ? new HubClient(baseUrl, token) : null;
    }

    /** MicroProfile Config's environment name of a property: {@code orpo.hub.enabled} → {@code ORPO_HUB_ENABLED}. */
    static String environmentName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    private static String first(UnaryOperator<String> config, String... names) {
        for (String name : names) {
            String v = config.apply(name);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "HubAccess[enabled=" + enabled + ", baseUrl=" + baseUrl + ", token=" + (token == null ? "none" : "set")
                + "]"; // never print the token
    }
}
