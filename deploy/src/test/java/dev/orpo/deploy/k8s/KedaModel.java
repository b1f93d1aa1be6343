package dev.orpo.deploy.k8s;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ObjectMeta;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A typed model of the part of KEDA's {@code keda.sh/v1alpha1} CRDs (ScaledObject, TriggerAuthentication, as in
 * kedacore/keda config/crd/bases, KEDA 2.13+) that deploy/k8s uses, written from those CRD schemas: field names,
 * required fields ({@code required = true}), integer fields and the string-only trigger metadata map. Any other field
 * is an error, never ignored. On top of the CRD, a {@code kafka} trigger's metadata keys and its authentication
 * parameters must be ones KEDA's Kafka scaler documents: KEDA ignores an unknown key, so a typo would pass the API
 * server and silently change scaling.
 */
final class KedaModel {
    static final String API_VERSION = "keda.sh/v1alpha1";

    /** The Kafka scaler's trigger metadata (keda.sh docs, scalers/apache-kafka, 2.18). */
    static final Set<String> KAFKA_METADATA = Set.of("bootstrapServers", "consumerGroup", "topic", "lagThreshold",
            "activationLagThreshold", "offsetResetPolicy", "allowIdleConsumers", "scaleToZeroOnInvalidOffset",
            "excludePersistentLag", "limitToPartitionsWithLag", "ensureEvenDistributionOfPartitions", "version",
            "partitionLimitation", "sasl", "saslTokenProvider", "tls", "unsafeSsl", "awsRegion");
    /** The Kafka scaler's authentication parameters (same page). */
    static final Set<String> KAFKA_AUTH = Set.of("sasl", "saslTokenProvider", "username", "password", "keytab", "realm",
            "kerberosConfig", "kerberosServiceName", "kerberosDisableFAST", "oauthTokenEndpointUri", "scopes",
            "oauthExtensions", "tls", "ca", "cert", "key", "keyPassword", "awsRoleArn", "awsAccessKeyID",
            "awsSecretAccessKey");

    private static final ObjectMapper STRICT = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false)
            // "30" is not an integer to the API server, so not here either
            .configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);

    private KedaModel() {
    }

    record ScaledObject(@JsonProperty(required = true) String apiVersion, @JsonProperty(required = true) String kind,
                        @JsonProperty(required = true) ObjectMeta metadata,
                        @JsonProperty(required = true) ScaledObjectSpec spec) {
    }

    record ScaledObjectSpec(@JsonProperty(required = true) ScaleTarget scaleTargetRef, Integer pollingInterval,
                            Integer cooldownPeriod, Integer initialCooldownPeriod, Integer idleReplicaCount,
                            Integer minReplicaCount, Integer maxReplicaCount, Advanced advanced, Fallback fallback,
                            @JsonProperty(required = true) List<Trigger> triggers) {
    }

    record ScaleTarget(String apiVersion, String kind, @JsonProperty(required = true) String name,
                       String envSourceContainerName) {
    }

    record Advanced(HpaConfig horizontalPodAutoscalerConfig, Boolean restoreToOriginalReplicaCount) {
    }

    record HpaConfig(String name, Behavior behavior) {
    }

    /** autoscaling/v2 HorizontalPodAutoscalerBehavior. */
    record Behavior(Rules scaleUp, Rules scaleDown) {
    }

    record Rules(Integer stabilizationWindowSeconds, String selectPolicy, List<Policy> policies) {
    }

    record Policy(@JsonProperty(required = true) String type, @JsonProperty(required = true) Integer value,
                  @JsonProperty(required = true) Integer periodSeconds) {
    }

    record Fallback(@JsonProperty(required = true) Integer failureThreshold,
                    @JsonProperty(required = true) Integer replicas, String behavior) {
    }

    record Trigger(@JsonProperty(required = true) String type, String name,
                   @JsonProperty(required = true) Map<String, Object> metadata, AuthRef authenticationRef,
                   String metricType, Boolean useCachedMetrics) {
    }

    record AuthRef(@JsonProperty(required = true) String name, String kind) {
    }

    record TriggerAuthentication(@JsonProperty(required = true) String apiVersion,
                                 @JsonProperty(required = true) String kind,
                                 @JsonProperty(required = true) ObjectMeta metadata,
                                 @JsonProperty(required = true) TriggerAuthenticationSpec spec) {
    }

    record TriggerAuthenticationSpec(List<SecretTarget> secretTargetRef, List<ConfigMapTarget> configMapTargetRef,
                                     List<EnvTarget> env) {
    }

    record SecretTarget(@JsonProperty(required = true) String parameter, @JsonProperty(required = true) String name,
                        @JsonProperty(required = true) String key) {
    }

    record ConfigMapTarget(@JsonProperty(required = true) String parameter, @JsonProperty(required = true) String name,
                           @JsonProperty(required = true) String key) {
    }

    record EnvTarget(@JsonProperty(required = true) String parameter, @JsonProperty(required = true) String name,
                     String containerName) {
    }

    static ScaledObject scaledObject(Map<String, Object> doc) {
        return STRICT.convertValue(doc, ScaledObject.class);
    }

    static TriggerAuthentication triggerAuthentication(Map<String, Object> doc) {
        return STRICT.convertValue(doc, TriggerAuthentication.class);
    }

    /** Every problem of one keda.sh document (an empty list: valid). */
    static List<String> check(Map<String, Object> doc) {
        List<String> out = new ArrayList<>();
        try {
            if (!API_VERSION.equals(doc.get("apiVersion"))) {
                out.add("apiVersion " + doc.get("apiVersion") + " is not " + API_VERSION);
            } else if ("ScaledObject".equals(doc.get("kind"))) {
                checkTriggers(scaledObject(doc), out);
            } else if ("TriggerAuthentication".equals(doc.get("kind"))) {
                TriggerAuthenticationSpec spec = triggerAuthentication(doc).spec();
                List<String> parameters = new ArrayList<>();
                nullToEmpty(spec.secretTargetRef()).forEach(t -> parameters.add(t.parameter()));
                nullToEmpty(spec.configMapTargetRef()).forEach(t -> parameters.add(t.parameter()));
                nullToEmpty(spec.env()).forEach(t -> parameters.add(t.parameter()));
                parameters.stream().filter(p -> !KAFKA_AUTH.contains(p))
                        .forEach(p -> out.add("spec: '" + p + "' is not a Kafka scaler authentication parameter"));
            } else {
                out.add("kind " + doc.get("kind") + " is not modelled");
            }
        } catch (IllegalArgumentException e) {
            out.add("does not fit the CRD: " + e.getMessage());
        }
        return out;
    }

    private static void checkTriggers(ScaledObject so, List<String> out) {
        for (Trigger t : so.spec().triggers()) {
            t.metadata().forEach((k, v) -> {
                if (!(v instanceof String)) {
                    out.add("triggers." + t.type() + ".metadata." + k + ": " + v + " must be a string (CRD: string map)");
                }
                if (t.type().equals("kafka") && !KAFKA_METADATA.contains(k)) {
                    out.add("triggers.kafka.metadata." + k + ": not a Kafka scaler parameter");
                }
            });
        }
    }

    private static <T> List<T> nullToEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
