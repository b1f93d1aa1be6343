package dev.orpo.deploy.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** S3Proxy serving an S3 API over a directory (jclouds filesystem-nio2 backend), in its own JVM. */
final class S3ProxyServer {
    /** 256 MB heap: S3Proxy streams objects, multipart uploads included; ~120 MB RSS when idle. */
    private static final List<String> JVM_OPTS = List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true");

    private final JvmServer server;
    private final StackConfig config;

    S3ProxyServer(Path dir, StackConfig config) {
        this.server = new JvmServer("s3proxy", dir, config.s3Port());
        this.config = config;
    }

    JvmServer server() {
        return server;
    }

    String endpoint() {
        return config.endpoints().s3Endpoint();
    }

    void start(StackJars jars) {
        Path dir = server.dir();
        Path conf = dir.resolve("s3proxy.conf");
        Path data = dir.resolve("data");
        try {
            Files.createDirectories(data);
            Files.writeString(conf, String.join("\n",
                    "# written by dev.orpo.deploy.local.LocalStack on every start; edits are overwritten",
                    "s3proxy.endpoint=" + endpoint(),
                    // accept both signature versions: the MinIO client signs v4, older tools v2
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + config.accessKey(),
                    "s3proxy.credential=" + config.secretKey(),
                    // filesystem-nio2, not filesystem: the latter lists a phantom directory entry
                    "jclouds.provider=filesystem-nio2",
                    "jclouds.identity=x",
                    "jclouds.credential=x",
                    "jclouds.filesystem.basedir=" + data,
                    "") + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("s3proxy: cannot write config in " + dir, e);
        }
        List<String> args = new java.util.ArrayList<>(JVM_OPTS);
        args.addAll(List.of("-jar", jars.s3proxyJar().toString(), "--properties", conf.toString()));
        server.start(args);
    }
}
