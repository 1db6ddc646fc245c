package dev.minibert.cli;

import dev.minibert.distributed.SparkMaster;
import dev.minibert.distributed.SparkSharding;
import dev.minibert.pretrain.InstanceSettings;
import dev.minibert.pretrain.ShardManifest;
import dev.minibert.pretrain.Sharding;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code minibert shard}: a corpus into the memory-mappable shards that {@code pretrain --shards} reads. */
@Command(name = "shard", mixinStandardHelpOptions = true,
        description = "Write the instances pretrain would build from a corpus into memory-mappable shards "
                + "(pretrain --shards reads them by index instead of holding the corpus in memory).")
final class ShardCommand implements Callable<Integer> {
    @Option(names = "--corpus", required = true, arity = "1..*", description = "UTF-8 text files or folders (.gz too)")
    List<Path> corpus;
    @Option(names = "--vocab", required = true, description = "vocab.txt of the model to pretrain")
    Path vocab;
    @Option(names = "--out", required = true, description = "shard folder: manifest.json, train-NNNNN.bin/.idx, held-out-NNNNN.bin/.idx")
    Path out;
    @Option(names = "--max-seq-len", defaultValue = "128", description = "truncate to this many tokens, [CLS]/[SEP] included") int maxSeqLen;
    @Option(names = "--whole-word-mask", description = "record Chinese word starts (jieba) for whole-word masking") boolean wholeWordMask;
    @Option(names = "--document-per-line", description = "each line is a whole document") boolean documentPerLine;
    @Option(names = "--seed", defaultValue = "42", description = "seed of the instance builder and the held-out split") long seed;
    @Option(names = "--eval-fraction", defaultValue = "0.02", description = "documents held out for MLM evaluation") double evalFraction;
    @Option(names = "--short-seq-prob", defaultValue = "0.1", description = "probability of a shorter target length per instance (BERT's short_seq_prob)") double shortSeqProb;
    @Option(names = "--skip-bad-lines", description = "skip (and count) lines with invalid UTF-8") boolean skipBadLines;
    @Option(names = "--lowercase", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "lower-case text, as the model's tokenizer does (default: true)") boolean lowercase;
    @Option(names = "--tokens-per-shard", defaultValue = "100000000", description = "the most tokens one shard holds") long tokensPerShard;
    @Option(names = "--spark", paramLabel = "MASTER", description = "tokenize the corpus files in parallel on Spark "
            + "executors, a task per file (the same bytes): local[N], spark://host:7077, yarn; docs/spark.md "
            + "(default: none, all in this process)")
    String spark;
    @Mixin OverwriteOption overwrite;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (spark != null) {
            SparkMaster.requireReachable(spark);
        }
        // --overwrite deletes the earlier shards only once the new ones are all written
        Sharding.Options o = new Sharding.Options(corpus, vocab, new InstanceSettings(maxSeqLen, shortSeqProb,
                wholeWordMask, documentPerLine, skipBadLines, lowercase, seed, evalFraction), out, tokensPerShard,
                overwrite.requested(out, false, spec.commandLine()));
        ShardManifest m = spark == null ? Sharding.run(o) : SparkSharding.run(spark, o);
        System.err.printf("sharded %d training and %d held-out instances into %d shard(s) in %s%n",
                m.counts().train(), m.counts().heldOut(), m.train().size() + m.heldOut().size(), out);
        return 0;
    }
}
