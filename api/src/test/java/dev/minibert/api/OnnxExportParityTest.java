package dev.minibert.api;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import dev.minibert.finetune.BertForSequenceClassification;
import dev.minibert.finetune.LabelMap;
import dev.minibert.model.BertConfig;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.model.io.OnnxExport;
import dev.minibert.model.io.OnnxImport;
import dev.minibert.model.io.SafeTensors;
import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.EncodeOptions;
import dev.minibert.tokenizer.Encoding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * ONNX Runtime runs what {@code minibert export} wrote, on a padded batch of Chinese sentences of mixed lengths,
 * and gives what {@link Encoder} ({@code minibert embed}) and {@link Classifier} ({@code minibert predict}) give,
 * within 1e-4: a post-norm and a pre-norm encoder, a classifier, and the real bge-small-zh from the data cache
 * (whose export {@code minibert import} also reads back bit for bit).
 */
class OnnxExportParityTest {
    private static final double TOLERANCE = 1e-4;
    private static final int MAX_LENGTH = ChineseTinyModels.MAX_LENGTH;
    private static final List<String> SENTENCES = ChineseTinyModels.SENTENCES;

    @TempDir
    Path tmp;

    @Test
    void postNormEncoderMatchesEmbed() throws Exception {
        assertEncoderParity(ChineseTinyModels.encoder(tmp.resolve("encoder-post"), BertConfig.NormStyle.POST));
    }

    @Test
    void preNormEncoderMatchesEmbed() throws Exception {
        assertEncoderParity(ChineseTinyModels.encoder(tmp.resolve("encoder-pre"), BertConfig.NormStyle.PRE));
    }

    @Test
    void importedBgeSmallZhMatchesEmbed() throws Exception {
        String env = System.getenv("MINIBERT_CACHE");
        Path cache = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"),
                ".cache", "minibert");
        Path bge = cache.resolve("weights/bge-small-zh-v1.5");
        Assumptions.assumeTrue(Files.isRegularFile(bge.resolve(ModelDirectory.WEIGHTS)),
                "skipped: run minibert data fetch --what weights (" + bge + " is absent)");
        Path onnx = assertEncoderParity(bge);
        // and the real weights come back bit for bit through import
        ModelDirectory model = ModelDirectory.open(bge);
        Path back = tmp.resolve("bge-back");
        OnnxImport.importModel(onnx, model.vocab(), model.doLowerCase(), back);
        Map<String, INDArray> original = SafeTensors.read(bge.resolve(ModelDirectory.WEIGHTS));
        Map<String, INDArray> imported = SafeTensors.read(back.resolve(ModelDirectory.WEIGHTS));
        assertThat(imported.keySet()).containsExactlyInAnyOrderElementsOf(original.keySet());
        for (String name : original.keySet()) {
            // float[] equality is Arrays.equals: bit patterns (floatToIntBits), in linear time
            assertThat(imported.get(name).castTo(DataType.FLOAT).data().asFloat()).as(name + " bits")
                    .isEqualTo(original.get(name).castTo(DataType.FLOAT).data().asFloat());
        }
    }

    @Test
    void classifierMatchesPredict() throws Exception {
        LabelMap labels = ChineseTinyModels.LABELS;
        Path dir = tmp.resolve("classifier");
        BertForSequenceClassification model = ChineseTinyModels.classifier(dir);
        Path onnx = tmp.resolve("classifier.onnx");
        assertThat(OnnxExport.export(dir, onnx, false).numLabels()).isEqualTo(3);

        Batch batch = Batch.of(new BertTokenizer(ChineseTinyModels.vocab(), true), SENTENCES);
        float[][] logits = (float[][]) runOnnx(onnx, batch).get("logits");
        INDArray ours = model.logits(batch.ids, batch.types, batch.mask, false);
        List<Prediction> predicted = Classifier.load(dir).classify(SENTENCES, null, MAX_LENGTH);
        double worstLogit = 0;
        double worstProbability = 0;
        INDArray probabilities = Transforms.softmax(Nd4j.createFromArray(logits).castTo(DataType.DOUBLE), false);
        for (int i = 0; i < SENTENCES.size(); i++) {
            for (int c = 0; c < labels.size(); c++) {
                worstLogit = Math.max(worstLogit, Math.abs(logits[i][c] - ours.getDouble(i, c)));
                worstProbability = Math.max(worstProbability, Math.abs(probabilities.getDouble(i, c)
                        - predicted.get(i).probabilities().get(labels.name(c))));
            }
        }
        assertThat(worstLogit).as("max |ONNX Runtime - minibert| logit").isLessThanOrEqualTo(TOLERANCE);
        assertThat(worstProbability).as("max |softmax(ONNX logits) - predict|").isLessThanOrEqualTo(TOLERANCE);
        assertThat(predicted.stream().map(Prediction::label).distinct().count())
                .as("the random head tells sentences apart, so the comparison means something").isGreaterThan(1);
    }

    /** Exports {@code dir} and compares ONNX Runtime's hidden states (unpadded tokens) and pooled vectors to embed's. */
    private Path assertEncoderParity(Path dir) throws Exception {
        Path onnx = tmp.resolve("encoder.onnx");
        OnnxExport.Summary summary = OnnxExport.export(dir, onnx, true);
        ModelDirectory model = ModelDirectory.open(dir);
        Batch batch = Batch.of(new BertTokenizer(model.vocab(), model.doLowerCase()), SENTENCES);
        Map<String, Object> outputs = runOnnx(onnx, batch);
        float[][][] hidden = (float[][][]) outputs.get("last_hidden_state");
        float[][] pooled = (float[][]) outputs.get("pooler_output");
        assertThat(pooled != null).as("pooler_output exactly when the model has a pooler").isEqualTo(summary.pooler());

        List<EncodedText> embedded = Encoder.load(dir).encode(SENTENCES, MAX_LENGTH);
        double worst = 0;
        for (int i = 0; i < SENTENCES.size(); i++) {
            EncodedText e = embedded.get(i);
            assertThat(e.inputIds()).containsExactly(java.util.Arrays.copyOf(batch.ids[i], e.inputIds().length));
            for (int t = 0; t < e.inputIds().length; t++) {
                for (int k = 0; k < e.lastHiddenState()[t].length; k++) {
                    worst = Math.max(worst, Math.abs(hidden[i][t][k] - e.lastHiddenState()[t][k]));
                }
            }
            for (int k = 0; pooled != null && k < pooled[i].length; k++) {
                worst = Math.max(worst, Math.abs(pooled[i][k] - e.poolerOutput()[k]));
            }
        }
        assertThat(worst).as(dir + ": max |ONNX Runtime - embed|").isLessThanOrEqualTo(TOLERANCE);
        return onnx;
    }

    /** One padded batch, as int[][] for minibert and long[][] for ONNX Runtime. */
    record Batch(int[][] ids, int[][] types, int[][] mask) {
        static Batch of(BertTokenizer tokenizer, List<String> texts) {
            List<Encoding> encoded = tokenizer.encodeBatch(texts, null, new EncodeOptions(MAX_LENGTH,
                    EncodeOptions.Truncation.LONGEST_FIRST, EncodeOptions.Padding.LONGEST));
            int n = encoded.size();
            Batch b = new Batch(new int[n][], new int[n][], new int[n][]);
            for (int i = 0; i < n; i++) {
                b.ids[i] = encoded.get(i).inputIds();
                b.types[i] = encoded.get(i).tokenTypeIds();
                b.mask[i] = encoded.get(i).attentionMask();
            }
            assertThat(n).isGreaterThanOrEqualTo(20);
            assertThat(b.mask[0]).as("the batch carries padding").contains(0);
            return b;
        }

        static long[][] widen(int[][] rows) {
            long[][] out = new long[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                out[i] = java.util.Arrays.stream(rows[i]).asLongStream().toArray();
            }
            return out;
        }
    }

    private static Map<String, Object> runOnnx(Path onnx, Batch batch) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, Object> values = new HashMap<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            // a pre-norm graph keeps the unused embeddings LayerNorm for the round trip; ORT warns about it
            options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            try (OrtSession session = env.createSession(onnx.toString(), options);
                 OnnxTensor ids = OnnxTensor.createTensor(env, Batch.widen(batch.ids));
                 OnnxTensor mask = OnnxTensor.createTensor(env, Batch.widen(batch.mask));
                 OnnxTensor types = OnnxTensor.createTensor(env, Batch.widen(batch.types));
                 OrtSession.Result result = session.run(Map.of("input_ids", ids, "attention_mask", mask,
                         "token_type_ids", types))) {
                result.forEach(e -> {
                    try {
                        values.put(e.getKey(), e.getValue().getValue());
                    } catch (ai.onnxruntime.OrtException ex) {
                        throw new IllegalStateException(ex);
                    }
                });
            }
        }
        return values;
    }
}
