package dev.orpo.deploy.k8s;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test-side kustomize renderer on small fixtures: the behaviours deploy/k8s relies on, and loud failure where it
 * would otherwise diverge from kustomize. (Both overlays were also rendered with kubectl 1.32 / kustomize 5.5.0 and
 * compared object by object: identical.)
 */
class KustomizeRendererTest {
    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: app
            spec:
              template:
                spec:
                  containers:
                    - name: app
                      image: registry.example/app:1.0
                      env:
                        - name: A
                          value: "1"
                        - name: B
                          value: "2"
            """;

    @TempDir
    Path dir;

    @Test
    void strategicMergeMergesEnvByNamePatchedItemsFirstAndRetagsImages() throws IOException {
        write("app.yaml", DEPLOYMENT);
        write("patch.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: app
                spec:
                  template:
                    spec:
                      containers:
                        - name: app
                          env:
                            - name: B
                              value: "20"
                            - name: C
                              value: "3"
                """);
        write("kustomization.yaml", """
                namespace: ns
                resources: [app.yaml]
                patches:
                  - path: patch.yaml
                images:
                  - name: registry.example/app
                    newTag: "2.0"
                """);
        List<Map<String, Object>> out = Kustomize.render(dir);
        Deployment d = Manifests.of(out).get(Deployment.class, "app");
        assertEquals("ns", d.getMetadata().getNamespace());
        var container = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("registry.example/app:2.0", container.getImage());
        assertEquals(List.of("B=20", "C=3", "A=1"),
                container.getEnv().stream().map(e -> e.getName() + "=" + e.getValue()).toList());
    }

    @Test
    void jsonPatchAppliesToEveryTargetAndItsTestOperationGuardsThePath() throws IOException {
        write("topics.yaml", """
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaTopic
                metadata: {name: a}
                spec: {partitions: 3, replicas: 3}
                ---
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaTopic
                metadata: {name: b}
                spec: {partitions: 3, replicas: 3}
                """);
        write("kustomization.yaml", """
                resources: [topics.yaml]
                patches:
                  - target: {kind: KafkaTopic}
                    patch: |-
                      - {op: test, path: /spec/partitions, value: 3}
                      - {op: replace, path: /spec/replicas, value: 1}
                """);
        Manifests m = Manifests.of(Kustomize.render(dir));
        assertEquals(List.of(1, 1), m.raw("KafkaTopic").stream().map(t -> Yamls.at(t, "spec", "replicas")).toList());

        write("kustomization.yaml", """
                resources: [topics.yaml]
                patches:
                  - target: {kind: KafkaTopic}
                    patch: |-
                      - {op: test, path: /spec/partitions, value: 12}
                """);
        assertThrows(IllegalStateException.class, () -> Kustomize.render(dir));
    }

    @Test
    void componentsAddTheirObjectsAndPatchWhatIsAccumulatedBeforeTheIncludingKustomizationsOwnTransformers()
            throws IOException {
        write("app.yaml", DEPLOYMENT);
        Files.createDirectories(dir.resolve("feature"));
        write("feature/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\ndata: {A: \"1\"}\n");
        write("feature/kustomization.yaml", """
                apiVersion: kustomize.config.k8s.io/v1alpha1
                kind: Component
                resources: [extra.yaml]
                patches:
                  - target: {kind: Deployment, name: app}
                    patch: |-
                      - {op: add, path: /spec/template/spec/containers/0/env/-, value: {name: C, value: "3"}}
                """);
        write("kustomization.yaml", """
                namespace: ns
                resources: [app.yaml]
                components: [feature]
                images:
                  - name: registry.example/app
                    newTag: "2.0"
                """);
        Manifests m = Manifests.of(Kustomize.render(dir));
        Deployment d = m.get(Deployment.class, "app");
        assertEquals(List.of("A", "B", "C"), d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .map(e -> e.getName()).toList());
        assertEquals("ns", m.get(io.fabric8.kubernetes.api.model.ConfigMap.class, "extra").getMetadata().getNamespace());
        assertEquals("registry.example/app:2.0", d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());

        write("kustomization.yaml", "resources: [app.yaml, feature]\n");
        assertThrows(IllegalArgumentException.class, () -> Kustomize.render(dir), "a Component is not a resource");
    }

    @Test
    void unsupportedFieldsAndPatchesThatSelectNothingAreErrorsNotSilence() throws IOException {
        write("app.yaml", DEPLOYMENT);
        write("kustomization.yaml", "resources: [app.yaml]\nnamePrefix: x-\n");
        assertThrows(UnsupportedOperationException.class, () -> Kustomize.render(dir));
        write("kustomization.yaml", """
                resources: [app.yaml]
                patches:
                  - target: {kind: Deployment, name: renamed}
                    patch: '[{op: remove, path: /spec}]'
                """);
        assertThrows(IllegalStateException.class, () -> Kustomize.render(dir));
    }

    @Test
    void strictModelReportsMisspelledFieldsInKubernetesObjects() throws IOException {
        write("bad.yaml", DEPLOYMENT.replace("      containers:", "      nodeSelecter: {a: b}\n      containers:"));
        write("kustomization.yaml", "resources: [bad.yaml]\n");
        Manifests m = Manifests.of(Kustomize.render(dir));
        List<String> deployment = StrictModel.unknownFields(m.get(Deployment.class, "app"));
        assertTrue(deployment.size() == 1 && deployment.get(0).contains("nodeSelecter"), deployment.toString());
    }

    private void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text);
    }
}
