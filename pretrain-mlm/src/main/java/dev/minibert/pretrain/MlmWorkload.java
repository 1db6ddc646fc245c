package dev.minibert.pretrain;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.model.BertConfig;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.train.TrainingOptions;
import dev.minibert.model.train.TrainingTask;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What a worker in another process (a Spark executor) needs to run micro-batches of a pretraining run from its
 * shards exactly as the driver would: the model's shape, the masking, the data order. The parameters are not part
 * of it: they travel every step.
 *
 * @param manifestSha256 the driver's shard manifest: a worker that sees other shards under {@code shards} refuses
 * @param training the driver's, so the micro-batches are its own; their accumulation counts all workers' together
 */
public record MlmWorkload(String configJson, boolean headTransform, List<String> vocab, boolean lowercase,
                          String shards, String manifestSha256, double mlmProbability, int maxPredictionsPerSeq,
                          boolean wholeWordMask, TrainingOptions training) implements Serializable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A task over the shards' training instances; the caller sets its parameters before each step. */
    public TrainingTask open() throws IOException {
        ShardFolder folder = ShardFolder.open(Path.of(shards), false);
        if (!folder.manifestSha256().equals(manifestSha256)) {
            throw new IOException(shards + ": manifest sha256 " + folder.manifestSha256() + " on this worker, "
                    + manifestSha256 + " on the driver; give every worker the same shards");
        }
        BertConfig config = BertConfig.fromJson(JSON.readTree(configJson));
        Vocab v = Vocab.of(vocab);
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        BertForMaskedLM model = new BertForMaskedLM(config, store, headTransform);
        List<Instance> train = folder.train();
        return new MlmTrainingTask(config, v, lowercase, store, model, train,
                new MaskingCollator(v, mlmProbability, maxPredictionsPerSeq, wholeWordMask), null,
                training.microBatches(train.size()));
    }

    /** Micro-batches per optimizer step over all workers together. */
    public int accumulation() {
        return training.accumulation();
    }

    /** Adds a worker's step metrics into the driver's row, as if its micro-batches had run on the driver. */
    public static void mergeMetrics(Map<String, Object> row, Map<String, Object> share) {
        MlmTrainingTask.mergeMetrics(row, share);
    }
}
