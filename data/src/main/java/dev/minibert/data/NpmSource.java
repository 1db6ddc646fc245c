package dev.minibert.data;

import java.nio.file.Path;
import java.util.List;

/** A package from the npm registry, brought with {@code npm pack} (a tarball; nothing is installed or run). */
final class NpmSource {
    private final ExternalTools tools;
    private final Path from;
    private final SourcesLock lock;

    /** @param from a folder that already holds the .tgz, or null to run npm pack */
    NpmSource(ExternalTools tools, Path from, SourcesLock lock) {
        this.tools = tools;
        this.from = from;
        this.lock = lock;
    }

    /**
     * The tarball of {@code spec} (name@version), packed into {@code work} unless --from has it; checked against the
     * lock's sha256 and recorded in {@code used}.
     */
    Path tarball(String spec, String tgzName, Path work, List<PackageRecord> used) {
        if (from == null) {
            ExternalTools.Result r = tools.run(work, List.of("npm", "pack", spec), "packing " + spec + " from the npm registry");
            if (!r.ok()) {
                String out = r.output();
                String hint = "; or run 'npm pack " + spec + "' elsewhere and pass --from DIR";
                if (out.contains("E404") || out.contains("ETARGET")) {
                    throw new FetchException("npm does not know " + spec + " (" + r.firstError() + ")" + hint);
                }
                throw new FetchException("cannot fetch " + spec + " from the npm registry (" + r.firstError()
                        + "): check the network and npm's registry setting" + hint);
            }
        }
        Path tgz = Downloads.single(from == null ? work : from, tgzName, "npm pack " + spec);
        int at = spec.lastIndexOf('@');
        PackageRecord record = new PackageRecord("npm", spec.substring(0, at), spec.substring(at + 1),
                tgz.getFileName().toString(), Hashing.size(tgz), Hashing.sha256(tgz));
        lock.check(record);
        used.add(record);
        return tgz;
    }

    /** Unpacks the members matching the tar wildcards into {@code into}. */
    void extract(Path tgz, Path into, List<String> patterns) {
        List<String> command = new java.util.ArrayList<>(List.of("tar", "-xzf", tgz.toString(), "-C",
                into.toString(), "--wildcards"));
        command.addAll(patterns);
        ExternalTools.Result r = tools.run(into, command, "unpacking " + tgz);
        if (!r.ok()) {
            throw new FetchException(tgz + ": tar cannot unpack " + patterns + " (" + r.firstError()
                    + "); the package changed since minibert was written");
        }
    }
}
