package dev.minibert.data;

import java.nio.file.Path;
import java.util.List;

/** An artifact from Maven Central (or the local repository), resolved by Maven's own client. */
record MavenArtifact(String groupId, String artifactId, String version) {

    String coordinates() {
        return groupId + ":" + artifactId + ":" + version;
    }

    /** Copies the jar into {@code dir} as {@code artifactId.jar}; run outside any project so no pom is involved. */
    Path copyTo(ExternalTools tools, Path dir, List<PackageRecord> used) {
        ExternalTools.Result r = tools.run(dir, List.of(tools.mvn(), "-q", "-B", "dependency:copy",
                "-Dartifact=" + coordinates(), "-Dmdep.stripVersion=true", "-DoutputDirectory=" + dir));
        Path jar = dir.resolve(artifactId + ".jar");
        if (!r.ok() || !jar.toFile().isFile()) {
            throw new FetchException("Maven cannot resolve " + coordinates() + " (" + r.firstError()
                    + "): check the network or the mirrors in ~/.m2/settings.xml");
        }
        used.add(new PackageRecord("maven", groupId + ":" + artifactId, version, jar.getFileName().toString(),
                Hashing.size(jar), Hashing.sha256(jar)));
        return jar;
    }
}
