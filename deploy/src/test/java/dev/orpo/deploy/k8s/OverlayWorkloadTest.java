package dev.orpo.deploy.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The workloads of each overlay parse strictly, get every setting their service reads, and run locked down. */
class OverlayWorkloadTest {
    static final List<String> OVERLAYS = Rendered.ALL;

    /** Config keys (env form) that every service reads: docs of the shared seams plus the Kafka SASL/TLS client. */
    static final List<String> SERVICE_ENV = List.of("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_SECURITY_PROTOCOL",
            "KAFKA_SASL_MECHANISM", "KAFKA_SASL_JAAS_CONFIG", "KAFKA_SSL_TRUSTSTORE_TYPE", "KAFKA_SSL_TRUSTSTORE_LOCATION",
            "KAFKA_GROUP_ID", "ORPO_S3_ENDPOINT", "ORPO_S3_ACCESS_KEY", "ORPO_S3_SECRET_KEY", "ORPO_S3_BUCKET",
            "ORPO_S3_REGION", "ORPO_WORK_DIR", "ORPO_HUB_ENABLED");

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyObjectFitsItsModelWithoutUnknownFieldsInNamespaceOrpo(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        assertEquals(m.raw().size(), m.objects().size());
        for (HasMetadata o : m.objects()) {
            String id = o.getKind() + "/" + o.getMetadata().getName();
            if (o instanceof GenericKubernetesResource) {
                // custom resources: Strimzi's in OverlayKafkaTest (Strimzi's model), KEDA's by its CRD model
                assertEquals(List.of(), o.getApiVersion().equals(KedaModel.API_VERSION)
                        ? KedaModel.check(m.raw(o.getKind(), o.getMetadata().getName()))
                        : List.of(), id);
                assertTrue(Set.of(StrimziModelCheck.API_VERSION, KedaModel.API_VERSION).contains(o.getApiVersion()), id);
            } else {
                assertEquals(List.of(), StrictModel.unknownFields(o), id);
            }
            assertEquals(o instanceof Namespace ? null : "orpo", o.getMetadata().getNamespace(), id);
            assertEquals("orpo", o.getMetadata().getLabels().get("app.kubernetes.io/part-of"), id);
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyServiceGetsEveryConfigKeyItReadsFromAnExistingSource(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        for (String service : Rendered.SERVICES) {
            Map<String, String> env = resolvedEnv(m, main(Rendered.service(m, service)));
            List<String> wanted = service.equals("trainer-service")
                    ? concat(SERVICE_ENV, "ORPO_TRAINER_THREADS") : SERVICE_ENV;
            for (String key : wanted) {
                assertTrue(env.containsKey(key), service + " lacks " + key);
            }
            assertEquals("secret:" + service + "/sasl.jaas.config", env.get("KAFKA_SASL_JAAS_CONFIG"), service);
            assertEquals(service, env.get("KAFKA_GROUP_ID"), service + ": group id the KafkaUser may read");
            assertEquals("SASL_SSL", env.get("KAFKA_SECURITY_PROTOCOL"));
            assertEquals("SCRAM-SHA-512", env.get("KAFKA_SASL_MECHANISM"));
            assertTrue(env.get("KAFKA_BOOTSTRAP_SERVERS").matches("orpo-kafka-bootstrap(\\.orpo\\.svc)?:9093"));
            assertMountedFrom(m, service, env.get("KAFKA_SSL_TRUSTSTORE_LOCATION"), "orpo-cluster-ca-cert");
            assertMountedFrom(m, service, env.get("ORPO_WORK_DIR"), null);
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyReferencedSecretAndConfigMapKeyExists(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        Map<String, Set<String>> secrets = Rendered.secretKeys(m);
        Map<String, Map<String, String>> configMaps = Rendered.configMaps(m);
        for (PodSpec pod : pods(m).values()) {
            for (Container c : pod.getContainers()) {
                c.getEnvFrom().forEach(f -> assertTrue(f.getSecretRef() != null
                        ? secrets.containsKey(f.getSecretRef().getName())
                        : configMaps.containsKey(f.getConfigMapRef().getName()), c.getName() + " envFrom " + f));
                for (EnvVar e : c.getEnv()) {
                    EnvVarSource s = e.getValueFrom();
                    if (s != null && s.getSecretKeyRef() != null && Boolean.TRUE.equals(s.getSecretKeyRef().getOptional())) {
                        assertEquals("HF_TOKEN", e.getName(), c.getName() + ": the only optional Secret is the hub token");
                    } else if (s != null && s.getSecretKeyRef() != null) {
                        assertTrue(secrets.getOrDefault(s.getSecretKeyRef().getName(), Set.of())
                                .contains(s.getSecretKeyRef().getKey()), c.getName() + " " + e.getName());
                    } else if (s != null && s.getFieldRef() != null) {
                        assertTrue(Set.of("metadata.name", "metadata.namespace", "spec.nodeName", "status.podIP")
                                .contains(s.getFieldRef().getFieldPath()), c.getName() + " " + e.getName());
                    } else if (s != null) {
                        assertTrue(configMaps.getOrDefault(s.getConfigMapKeyRef().getName(), Map.of())
                                .containsKey(s.getConfigMapKeyRef().getKey()), c.getName() + " " + e.getName());
                    }
                }
            }
            for (Volume v : pod.getVolumes()) {
                if (v.getSecret() != null) {
                    Set<String> keys = secrets.get(v.getSecret().getSecretName());
                    assertNotNull(keys, "volume " + v.getName() + ": no Secret " + v.getSecret().getSecretName());
                    v.getSecret().getItems().forEach(i -> assertTrue(keys.contains(i.getKey()), v.getName() + " " + i));
                }
            }
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void probesHitQuarkusHealthOnTheHttpContainerPort(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        for (String service : Rendered.SERVICES) {
            Container c = main(Rendered.service(m, service));
            assertEquals(8080, c.getPorts().get(0).getContainerPort(), service);
            assertEquals("/q/health/ready", probePath(c.getReadinessProbe().getHttpGet(), c), service);
            assertEquals("/q/health/live", probePath(c.getLivenessProbe().getHttpGet(), c), service);
            Map<String, String> annotations = Rendered.service(m, service).getSpec().getTemplate().getMetadata().getAnnotations();
            assertEquals(Map.of("prometheus.io/scrape", "true", "prometheus.io/port", "8080", "prometheus.io/path", "/q/metrics"),
                    annotations, service + " scrape annotations");
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void serviceImagesAreGhcrOrpoPipelineServiceAtTheProjectVersion(String overlay) {
        Manifests m = Rendered.overlay(overlay);
        for (String service : Rendered.SERVICES) {
            String image = main(Rendered.service(m, service)).getImage();
            String suffix = overlay.startsWith("gpu") && service.equals("trainer-service") ? "-cuda" : "";
            assertEquals("ghcr.io/orpo-pipeline/" + service + ":0.1.0-SNAPSHOT" + suffix, image);
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyPodRunsNonRootWithReadOnlyRootNoCapabilitiesAndRuntimeDefaultSeccomp(String overlay) {
        pods(Rendered.overlay(overlay)).forEach((name, pod) -> {
            PodSecurityContext psc = pod.getSecurityContext();
            assertEquals(Boolean.TRUE, psc.getRunAsNonRoot(), name);
            assertTrue(psc.getRunAsUser() != null && psc.getRunAsUser() > 0, name);
            assertEquals("RuntimeDefault", psc.getSeccompProfile().getType(), name);
            assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), name);
            for (Container c : pod.getContainers()) {
                SecurityContext sc = c.getSecurityContext();
                assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), name);
                assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), name);
                assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), name);
                assertTrue(sc.getCapabilities().getAdd().isEmpty(), name);
                assertTrue(c.getVolumeMounts().stream().anyMatch(v -> v.getMountPath().equals("/tmp")), name + " /tmp");
                assertNotNull(c.getResources().getLimits().get("memory"), name + " memory limit");
                assertNotNull(c.getResources().getRequests().get("cpu"), name + " cpu request");
            }
        });
    }

    /** The mount that holds {@code path} is a Secret volume of {@code secret}, or an emptyDir when secret is null. */
    private static void assertMountedFrom(Manifests m, String service, String path, String secret) {
        Deployment d = Rendered.service(m, service);
        VolumeMount mount = main(d).getVolumeMounts().stream().filter(v -> path.startsWith(v.getMountPath()))
                .findFirst().orElseThrow(() -> new AssertionError(service + ": nothing mounted at " + path));
        Volume volume = d.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
        if (secret == null) {
            assertNotNull(volume.getEmptyDir(), service + ": " + path + " must be a writable emptyDir");
        } else {
            assertEquals(secret, volume.getSecret().getSecretName(), service + ": " + path);
            String file = path.substring(mount.getMountPath().length() + 1);
            assertTrue(volume.getSecret().getItems().stream().anyMatch(i -> i.getPath().equals(file)), path);
        }
    }

    /**
     * Env var → literal value, "secret:name/key", "field:path"; ConfigMap values (envFrom and configMapKeyRef)
     * resolved to what the ConfigMap holds.
     */
    static Map<String, String> resolvedEnv(Manifests m, Container c) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, Map<String, String>> configMaps = Rendered.configMaps(m);
        c.getEnvFrom().stream().filter(f -> f.getConfigMapRef() != null)
                .forEach(f -> out.putAll(configMaps.get(f.getConfigMapRef().getName())));
        for (EnvVar e : c.getEnv()) {
            EnvVarSource s = e.getValueFrom();
            out.put(e.getName(), s == null ? e.getValue()
                    : s.getSecretKeyRef() != null ? "secret:" + s.getSecretKeyRef().getName() + "/" + s.getSecretKeyRef().getKey()
                    : s.getFieldRef() != null ? "field:" + s.getFieldRef().getFieldPath()
                    : configMaps.get(s.getConfigMapKeyRef().getName()).get(s.getConfigMapKeyRef().getKey()));
        }
        return out;
    }

    static Container main(Deployment d) {
        List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size(), d.getMetadata().getName());
        assertEquals(d.getMetadata().getName(), containers.get(0).getName());
        return containers.get(0);
    }

    /** Every pod template: Deployments, StatefulSets, Jobs. */
    static Map<String, PodSpec> pods(Manifests m) {
        Map<String, PodSpec> out = new HashMap<>();
        Function<HasMetadata, String> id = o -> o.getKind() + "/" + o.getMetadata().getName();
        m.all(Deployment.class).forEach(d -> out.put(id.apply(d), d.getSpec().getTemplate().getSpec()));
        m.all(StatefulSet.class).forEach(s -> out.put(id.apply(s), s.getSpec().getTemplate().getSpec()));
        m.all(Job.class).forEach(j -> out.put(id.apply(j), j.getSpec().getTemplate().getSpec()));
        if (out.isEmpty()) {
            fail("no workloads rendered");
        }
        return out;
    }

    private static String probePath(HTTPGetAction get, Container c) {
        Object port = get.getPort().getIntVal() != null ? get.getPort().getIntVal() : get.getPort().getStrVal();
        assertTrue(c.getPorts().stream().anyMatch(p -> port.equals(p.getContainerPort()) || port.equals(p.getName())),
                c.getName() + ": probe port " + port + " is not a container port");
        return get.getPath();
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.add(b);
        return out;
    }
}
