package dev.minibert.data;

import java.nio.file.Path;
import java.util.List;

/** An artifact from Maven Central (or the local repository), resolved by Maven's own client. */
record MavenArtifact(String groupId, String artifactId, String version) {

    String coordinates() {
        return groupId + ":" + artifactId + ":" + version;
    }

    /**
     * Copies the jar into {@code dir} as {@code artifactId.jar}, run outside any project so no pom is involved;
     * checked against the lock's sha256 and recorded in {@code used}.
     */
    Path copyTo(ExternalTools tools, Path dir, SourcesLock lock, List<PackageRecord> used) {
        ExternalTools.Result r = tools.run(dir, List.of("mvn", "-q", "-B", "dependency:copy",
                "-Dartifact=" + coordinates(), "-Dmdep.stripVersion=true", "-DoutputDirectory=" + dir),
                "resolving " + coordinates() + " with Maven");
        Path jar = dir.resolve(artifactId + ".jar");
        if (!r.ok() || !jar.toFile().isFile()) {
            throw new FetchException("mvn cannot resolve " + coordinates() + " (" + r.firstError()
                    + "): check the network or the mirrors in ~/.m2/settings.xml");
        }
        PackageRecord record = new PackageRecord("maven", groupId + ":" + artifactId, version,
                jar.getFileName().toString(), Hashing.size(jar), Hashing.sha256(jar));
        lock.check(record);
        used.add(record);
        return jar;
    }
}
