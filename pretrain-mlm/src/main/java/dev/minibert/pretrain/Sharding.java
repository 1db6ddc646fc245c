package dev.minibert.pretrain;

import dev.minibert.model.io.AtomicFiles;
import dev.minibert.model.io.OutputFolder;
import dev.minibert.model.io.OutputMarker;
import dev.minibert.model.io.Sha256;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code minibert shard}: the instances pretrain would build from a corpus, written once to memory-mappable shards
 * so that pretraining reads them by index instead of holding the corpus in memory. The corpus is streamed document
 * by document; the shards are written in a staging folder, moved in, and the manifest written last, so a folder
 * with a manifest is complete and a killed run leaves none.
 */
public final class Sharding {
    private static final Logger LOG = LoggerFactory.getLogger(Sharding.class);
    /** The shard folder's marker kind. */
    public static final String KIND = "shards";

    /**
     * @param tokensPerShard the most tokens one shard holds (both its files stay under 2 GB)
     * @param overwrite      replace an earlier shard folder in {@code out} (only the files minibert wrote there), once
     *                       the new shards are all written
     */
    public record Options(List<Path> corpus, Path vocab, InstanceSettings settings, Path out, long tokensPerShard,
                          boolean overwrite) {
        public Options(List<Path> corpus, Path vocab, InstanceSettings settings, Path out, long tokensPerShard) {
            this(corpus, vocab, settings, out, tokensPerShard, false);
        }
    }

    /**
     * How the corpus becomes instances: {@link CorpusInstances#stream(CorpusInstances.Sink)} here, or with the
     * tokenizing done elsewhere (module distributed: a Spark task per file) and only the seeded packing here.
     */
    public interface InstanceSource {
        CorpusInstances.Counts stream(CorpusInstances corpus, CorpusInstances.Sink sink) throws IOException;
    }

    private Sharding() {
    }

    public static ShardManifest run(Options o) throws IOException {
        return run(o, CorpusInstances::stream);
    }

    /** As {@link #run(Options)}, the instances from {@code source}, which must stream the ones this corpus gives. */
    public static ShardManifest run(Options o, InstanceSource source) throws IOException {
        if (o.tokensPerShard() < o.settings().maxSeqLen() || o.tokensPerShard() > ShardLayout.MAX_TOKENS) {
            throw new IllegalArgumentException("--tokens-per-shard must be in [--max-seq-len, " + ShardLayout.MAX_TOKENS
                    + "], got " + o.tokensPerShard());
        }
        Vocab vocab = Vocab.read(o.vocab());
        CorpusInstances corpus = new CorpusInstances(o.corpus(), o.settings(), vocab);
        Path out = o.out().toAbsolutePath().normalize();
        return OutputFolder.staged(out, KIND, o.overwrite(), staging -> {
            ShardManifest manifest = write(corpus, source, vocab, o, staging.folder());
            List<String> names = manifest.fileNames();
            List<String> all = new ArrayList<>(names);
            all.add(ShardManifest.FILE);
            staging.moveIn(OutputMarker.read(out).withFiles(all), names);
            AtomicFiles.write(out.resolve(ShardManifest.FILE), manifest.toJson());
            return manifest;
        });
    }

    private static ShardManifest write(CorpusInstances corpus, InstanceSource source, Vocab vocab, Options o, Path work)
            throws IOException {
        int tokenBytes = vocab.size() <= 65_535 ? 2 : 4;
        ShardWriter train = new ShardWriter(work, "train", tokenBytes, o.tokensPerShard());
        ShardWriter heldOut = new ShardWriter(work, "held-out", tokenBytes, o.tokensPerShard());
        CorpusInstances.Counts counts = source.stream(corpus, (instance, held) -> (held ? heldOut : train).add(instance));
        long bytes = 0;
        for (Path f : corpus.files()) {
            bytes += Files.size(f);
        }
        ShardManifest manifest = new ShardManifest(o.settings(), ShardFolder.vocabSha256(vocab), vocab.size(),
                tokenBytes, new ShardManifest.Corpus(corpus.files().stream().map(Path::toString).toList(),
                Sha256.of(corpus.files()), bytes), counts, train.finish(), heldOut.finish());
        LOG.info("{} training and {} held-out instances in {} shard(s)", counts.train(), counts.heldOut(),
                manifest.train().size() + manifest.heldOut().size());
        return manifest;
    }
}
