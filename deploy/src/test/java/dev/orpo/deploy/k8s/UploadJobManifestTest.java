package dev.orpo.deploy.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/k8s/jobs/upload: the in-cluster {@code orpo upload} Job runs the CLI image that the cli module's Jib profile
 * builds, gets the S3 settings the services get from Secrets and ConfigMaps that exist once the pipeline is applied,
 * reads its source read-only from a volume, and is as locked down as the pipeline's pods.
 */
class UploadJobManifestTest {
    private static final Pattern VAR = Pattern.compile("\\$\\(([A-Z0-9_]+)\\)");
    private final Manifests job = Manifests.of(Kustomize.render(Manifests.K8S.resolve("jobs/upload")));
    private final Manifests pipeline = Rendered.overlay("gpu");

    @Test
    void theJobRunsTheCliImageThatJibBuildsWithTheUploadCommandAndEveryVariableItsArgumentsUse() throws Exception {
        for (HasMetadata o : job.objects()) {
            assertEquals(List.of(), StrictModel.unknownFields(o), o.getKind());
            assertEquals("orpo", o.getMetadata().getNamespace(), o.getKind());
            assertEquals("orpo", o.getMetadata().getLabels().get("app.kubernetes.io/part-of"), o.getKind());
        }
        Container c = container();
        assertEquals(jibImageOfTheCli(), c.getImage());
        assertEquals("upload", c.getArgs().get(0));
        Map<String, String> uploadEnv = Rendered.configMaps(job).get("orpo-upload");
        assertEquals(Kustomize.readEnvFile(Manifests.K8S.resolve("jobs/upload/upload.env")), uploadEnv);
        for (String arg : c.getArgs()) {
            Matcher m = VAR.matcher(arg);
            while (m.find()) {
                assertTrue(uploadEnv.containsKey(m.group(1)), arg + ": " + m.group(1) + " is not set");
            }
        }
        assertTrue(c.getArgs().get(1).startsWith(mountOf(c, "models").getMountPath() + "/"), "the source is on the volume");
        assertTrue(Set.of("model", "dataset").contains(uploadEnv.get("UPLOAD_KIND")), uploadEnv.get("UPLOAD_KIND"));
    }

    @Test
    void theJobGetsThePipelinesS3SettingsFromSourcesThatExistAndReadsItsVolumeReadOnly() {
        Container c = container();
        Map<String, Set<String>> secrets = Rendered.secretKeys(pipeline);
        Map<String, Map<String, String>> configMaps = new HashMap<>(Rendered.configMaps(pipeline));
        Map<String, String> byName = new HashMap<>();
        for (EnvVar e : c.getEnv()) {
            var s = e.getValueFrom();
            if (s.getSecretKeyRef() != null) {
                assertTrue(secrets.getOrDefault(s.getSecretKeyRef().getName(), Set.of()).contains(s.getSecretKeyRef().getKey()), e.getName());
                byName.put(e.getName(), "secret:" + s.getSecretKeyRef().getName() + "/" + s.getSecretKeyRef().getKey());
            } else {
                byName.put(e.getName(), configMaps.get(s.getConfigMapKeyRef().getName()).get(s.getConfigMapKeyRef().getKey()));
            }
        }
        Map<String, String> services = OverlayWorkloadTest.resolvedEnv(pipeline,
                OverlayWorkloadTest.main(Rendered.service(pipeline, "dataset-service")));
        for (String key : List.of("ORPO_S3_ENDPOINT", "ORPO_S3_BUCKET", "ORPO_S3_ACCESS_KEY", "ORPO_S3_SECRET_KEY")) {
            assertEquals(services.get(key), byName.get(key), key + ": as the services");
        }
        PodSpec pod = job.get(Job.class, "orpo-upload").getSpec().getTemplate().getSpec();
        Volume models = pod.getVolumes().stream().filter(v -> v.getName().equals("models")).findFirst().orElseThrow();
        assertTrue(models.getPersistentVolumeClaim().getReadOnly(), "the claim is mounted read-only");
        assertTrue(mountOf(c, "models").getReadOnly());
        assertEquals("Never", pod.getRestartPolicy());
    }

    @Test
    void theJobRunsLockedDownAndReachesOnlyMinioAndDns() {
        PodSpec pod = job.get(Job.class, "orpo-upload").getSpec().getTemplate().getSpec();
        Map<String, String> labels = job.get(Job.class, "orpo-upload").getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(pod.getSecurityContext().getRunAsNonRoot() && pod.getSecurityContext().getRunAsUser() > 0);
        assertFalse(pod.getAutomountServiceAccountToken());
        Container c = container();
        assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
        PodLifecycleTest.assertEphemeralStorageMatchesScratch("Job/orpo-upload", pod);

        NetworkPolicy minio = pipeline.get(NetworkPolicy.class, "minio-ingress");
        assertTrue(minio.getSpec().getIngress().get(0).getFrom().stream().anyMatch(p -> p.getPodSelector() != null
                && selects(p.getPodSelector().getMatchLabels(), labels)), "MinIO admits the Job");
        NetworkPolicy egress = pipeline.get(NetworkPolicy.class, "pipeline-jobs-egress");
        assertTrue(selects(egress.getSpec().getPodSelector().getMatchLabels(), labels));
        assertEquals(Set.of(9000, 53), Set.copyOf(egress.getSpec().getEgress().stream().flatMap(r -> r.getPorts().stream())
                .map(p -> p.getPort().getIntVal()).toList()));
    }

    private Container container() {
        List<Container> cs = job.get(Job.class, "orpo-upload").getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, cs.size());
        return cs.get(0);
    }

    private static VolumeMount mountOf(Container c, String volume) {
        return c.getVolumeMounts().stream().filter(m -> m.getName().equals(volume)).findFirst().orElseThrow();
    }

    private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    /** The image the cli module's {@code images} profile tells Jib to build, with its properties filled in. */
    private static String jibImageOfTheCli() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(ServiceChannels.ROOT.resolve("cli/pom.xml").toFile());
        Map<String, String> props = new HashMap<>();
        props.put("project.version", text((Element) pom.getElementsByTagName("parent").item(0), "version"));
        NodeList profiles = pom.getElementsByTagName("profile");
        String image = null;
        for (int i = 0; i < profiles.getLength(); i++) {
            Element profile = (Element) profiles.item(i);
            if (!"images".equals(text(profile, "id"))) {
                continue;
            }
            NodeList p = ((Element) profile.getElementsByTagName("properties").item(0)).getChildNodes();
            for (int j = 0; j < p.getLength(); j++) {
                if (p.item(j) instanceof Element e) {
                    props.put(e.getTagName(), e.getTextContent().strip());
                }
            }
            image = text((Element) profile.getElementsByTagName("to").item(0), "image");
        }
        assertTrue(image != null, "cli/pom.xml has a profile images with a Jib <to><image>");
        Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(image);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(props.get(m.group(1))));
        }
        return m.appendTail(out).toString();
    }

    private static String text(Element parent, String tag) {
        return parent.getElementsByTagName(tag).item(0).getTextContent().strip();
    }
}
