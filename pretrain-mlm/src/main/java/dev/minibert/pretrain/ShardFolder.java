package dev.minibert.pretrain;

import dev.minibert.model.io.Sha256;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A folder written by {@code minibert shard}, opened for training: the manifest read, every shard file's size checked
 * against it (and its sha256 on request: that reads every byte), the shards mapped. Opening costs no pass over the
 * data and no heap per instance.
 */
public final class ShardFolder {
    private final Path manifestFile;
    private final ShardManifest manifest;
    private final String manifestSha256;
    private final List<Instance> train;
    private final List<Instance> heldOut;

    private ShardFolder(Path manifestFile, ShardManifest manifest, String manifestSha256, List<Instance> train,
                        List<Instance> heldOut) {
        this.manifestFile = manifestFile;
        this.manifest = manifest;
        this.manifestSha256 = manifestSha256;
        this.train = train;
        this.heldOut = heldOut;
    }

    /** Opens {@code dir}; a missing, truncated or (with {@code verify}) altered shard is refused naming the file. */
    public static ShardFolder open(Path dir, boolean verify) throws IOException {
        ShardManifest manifest = ShardManifest.read(dir);
        Path manifestFile = dir.resolve(ShardManifest.FILE);
        for (List<ShardManifest.Shard> split : List.of(manifest.train(), manifest.heldOut())) {
            for (ShardManifest.Shard shard : split) {
                ShardLayout layout = new ShardLayout(shard.instances(), shard.tokens(), manifest.tokenBytes());
                if (shard.instances() < 1 || shard.tokens() > ShardLayout.MAX_TOKENS
                        || layout.tokensBytes() != shard.tokensFile().bytes()
                        || layout.indexBytes() != shard.indexFile().bytes()) {
                    throw new IllegalArgumentException(manifestFile + ": the sizes of " + shard.tokensFile().name()
                            + " and " + shard.indexFile().name() + " disagree with its instance and token counts");
                }
                check(dir, shard.tokensFile(), verify);
                check(dir, shard.indexFile(), verify);
            }
        }
        int vocabSize = manifest.vocabSize();
        return new ShardFolder(manifestFile, manifest, Sha256.of(manifestFile),
                ShardedInstances.map(dir, manifest.train(), manifest.tokenBytes(), vocabSize),
                ShardedInstances.map(dir, manifest.heldOut(), manifest.tokenBytes(), vocabSize));
    }

    private static void check(Path dir, ShardManifest.ShardFile f, boolean verify) throws IOException {
        Path file = dir.resolve(f.name());
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": missing (named in " + ShardManifest.FILE + "); re-run minibert shard");
        }
        long size = Files.size(file);
        if (size != f.bytes()) {
            throw new IllegalArgumentException(file + ": " + size + " bytes, " + ShardManifest.FILE + " says " + f.bytes()
                    + " (truncated or damaged); re-run minibert shard");
        }
        if (verify && !Sha256.of(file).equals(f.sha256())) {
            throw new IllegalArgumentException(file + ": sha256 differs from " + ShardManifest.FILE
                    + " (damaged); re-run minibert shard");
        }
    }

    /**
     * Refuses shards made from another vocabulary or with other instance settings than this run's, naming the
     * manifest and the first option that differs. {@code --seed} and {@code --skip-bad-lines} may differ: they
     * shaped the shards' instances, and a run's seed still drives its initialisation, order, masks and dropout.
     */
    public void requireMatches(Vocab vocab, Path vocabFile, InstanceSettings run) {
        String sha = vocabSha256(vocab);
        if (!sha.equals(manifest.vocabSha256())) {
            throw new IllegalArgumentException(manifestFile + ": the shards were made with another vocabulary ("
                    + manifest.vocabSize() + " tokens, sha256 " + manifest.vocabSha256() + ") than "
                    + (vocabFile == null ? "the model's" : vocabFile.toString()) + " (" + vocab.size()
                    + " tokens, sha256 " + sha + "); re-run minibert shard with this --vocab");
        }
        Map<String, Object> made = manifest.settings().byOption();
        for (Map.Entry<String, Object> e : run.byOption().entrySet()) {
            String option = e.getKey();
            if (!option.equals("--seed") && !option.equals("--skip-bad-lines")
                    && !Objects.equals(made.get(option), e.getValue())) {
                throw new IllegalArgumentException(manifestFile + ": the shards were made with " + option + " "
                        + made.get(option) + ", this run has " + option + " " + e.getValue()
                        + "; pass the same value or re-run minibert shard");
            }
        }
    }

    /** The identity of a vocabulary by its tokens in id order, wherever it was read from. */
    static String vocabSha256(Vocab vocab) {
        return Sha256.of(String.join("\n", vocab.tokens()).getBytes(StandardCharsets.UTF_8));
    }

    public ShardManifest manifest() {
        return manifest;
    }

    /** The manifest's sha256: it names every shard file's sha256, so it identifies the data. */
    public String manifestSha256() {
        return manifestSha256;
    }

    public List<Instance> train() {
        return train;
    }

    public List<Instance> heldOut() {
        return heldOut;
    }
}
