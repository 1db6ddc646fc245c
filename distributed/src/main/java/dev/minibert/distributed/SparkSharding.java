package dev.minibert.distributed;

import dev.minibert.pretrain.CorpusInstances;
import dev.minibert.pretrain.InstanceBuilder;
import dev.minibert.pretrain.InstanceSettings;
import dev.minibert.pretrain.ShardManifest;
import dev.minibert.pretrain.Sharding;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.StreamSupport;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * {@code minibert shard} as a Spark job: a task per corpus file reads and tokenizes it (jieba segmentation with
 * {@code --whole-word-mask}), the slow part; the driver then packs the documents in corpus order with the one seeded
 * builder and writes the shards, so they are byte-identical to {@code minibert shard}'s. The tokenized files stay
 * cached on the executors and reach the driver one file at a time.
 */
public final class SparkSharding {
    private SparkSharding() {
    }

    /** Shards on a new application on {@code master}, stopped at the end. */
    public static ShardManifest run(String master, Sharding.Options o) throws IOException {
        try (JavaSparkContext spark = SparkApplication.start(master, "minibert shard")) {
            return shardOn(spark, o);
        }
    }

    /** Shards on a running application (named apart from {@link #run}: callers without Spark's classes compile). */
    public static ShardManifest shardOn(JavaSparkContext spark, Sharding.Options o) throws IOException {
        return Sharding.run(o, (corpus, sink) -> {
            List<String> files = corpus.files().stream().map(f -> f.toAbsolutePath().toString()).toList();
            InstanceSettings settings = o.settings();
            List<String> vocab = Vocab.read(o.vocab()).tokens();
            JavaRDD<CorpusInstances.TokenizedFile> tokenized = spark.parallelize(files, files.size()) // a file a task
                    .map(file -> CorpusInstances.tokenize(Path.of(file), settings, Vocab.of(vocab)))
                    .persist(StorageLevel.MEMORY_AND_DISK());
            try {
                tokenized.count(); // every file at once; then fetched in order, one file at a time
                long[] skipped = {0};
                Iterator<List<InstanceBuilder.Segment>> documents = StreamSupport.stream(
                                Spliterators.spliteratorUnknownSize(tokenized.toLocalIterator(), Spliterator.ORDERED), false)
                        .peek(file -> skipped[0] += file.skippedLines())
                        .flatMap(file -> file.documents().stream())
                        .iterator();
                return corpus.stream(documents, () -> skipped[0], sink);
            } finally {
                tokenized.unpersist();
            }
        });
    }
}
