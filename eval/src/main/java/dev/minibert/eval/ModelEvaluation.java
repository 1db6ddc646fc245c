package dev.minibert.eval;

import dev.minibert.finetune.BertForSequenceClassification;
import dev.minibert.finetune.ClassificationMetrics;
import dev.minibert.finetune.DatasetFormat;
import dev.minibert.finetune.EncodedExamples;
import dev.minibert.finetune.LabelMap;
import dev.minibert.finetune.Predictor;
import dev.minibert.model.ParameterStore;
import dev.minibert.pretrain.BertForMaskedLM;
import dev.minibert.pretrain.MaskingCollator;
import dev.minibert.pretrain.MlmEvaluator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code minibert eval}: a saved model scored on a file. A classifier gets accuracy, macro/micro-F1, per-class
 * precision/recall/F1, the confusion matrix and bootstrap 95% intervals; a masked-LM model gets masked-token accuracy
 * and perplexity under masks drawn from one fixed seed, so two models are scored on the same masked tokens.
 */
public final class ModelEvaluation {
    /** Knobs shared by both kinds; {@code format} only matters for a classifier. */
    public record Options(DatasetFormat format, int batchSize, int maxSeqLen, int maxPredictionsPerSeq,
                          int bootstrapResamples, long seed) {
    }

    private ModelEvaluation() {
    }

    /** The result as ordered JSON-ready values. */
    public static Map<String, Object> run(SavedModel model, Path data, Options o) throws IOException {
        return switch (model.kind()) {
            case CLASSIFIER -> classifier(model, data, o);
            case MASKED_LM -> maskedLm(model, data, o);
            case ENCODER -> throw new IllegalArgumentException(model.directory().path() + ": neither a classifier ("
                    + LabelMap.FILE + ") nor a masked-LM model (cls.predictions.* tensors): nothing to evaluate");
        };
    }

    static Map<String, Object> classifier(SavedModel model, Path data, Options o) throws IOException {
        EncodedExamples examples = EvalData.classification(model, data, o.format(), o.maxSeqLen());
        ParameterStore store = SavedModel.newStore();
        BertForSequenceClassification classifier = model.classifier(store);
        store.freeze(); // inference only: the products read weights packed once
        double[][] probs = new Predictor(classifier, o.batchSize()).probabilities(examples);
        int[] predicted = new int[probs.length];
        for (int i = 0; i < probs.length; i++) {
            predicted[i] = Predictor.argmax(probs[i]);
        }
        LabelMap labels = model.labels();
        ClassificationMetrics m = ClassificationMetrics.of(examples.labels(), predicted, labels.size());
        ClassificationMetrics.Bootstrap ci = m.bootstrap(o.bootstrapResamples(), o.seed());
        int[][] confusion = m.confusion();
        Map<String, Object> perClass = new LinkedHashMap<>();
        for (int c = 0; c < labels.size(); c++) {
            int support = 0;
            for (int n : confusion[c]) {
                support += n;
            }
            perClass.put(labels.name(c), Map.of("precision", m.precision(c), "recall", m.recall(c), "f1", m.f1(c),
                    "support", support));
        }
        Map<String, Object> out = header(model, data, "classifier");
        out.put("examples", m.count());
        out.put("accuracy", m.accuracy());
        out.put("macro_f1", m.macroF1());
        out.put("micro_f1", m.microF1());
        out.put("accuracy_ci95", List.of(ci.accuracy().lower(), ci.accuracy().upper()));
        out.put("macro_f1_ci95", List.of(ci.macroF1().lower(), ci.macroF1().upper()));
        out.put("bootstrap_resamples", ci.resamples());
        out.put("bootstrap_seed", o.seed());
        out.put("per_class", perClass);
        out.put("labels", labels.names());
        out.put("confusion", confusion);
        return out;
    }

    static Map<String, Object> maskedLm(SavedModel model, Path corpus, Options o) throws IOException {
        BertForMaskedLM mlm = model.maskedLm(SavedModel.newStore(), o.seed());
        MaskingCollator collator = new MaskingCollator(model.directory().vocab(), 0.15, o.maxPredictionsPerSeq(), false);
        MlmEvaluator.Score s = new MlmEvaluator(EvalData.mlmInstances(model.directory(), corpus, o.maxSeqLen(), o.seed()),
                collator, o.batchSize(), o.seed()).evaluate(mlm);
        Map<String, Object> out = header(model, corpus, "masked_lm");
        out.put("masked_tokens", s.maskedTokens());
        out.put("masked_accuracy", s.accuracy());
        out.put("loss", s.loss());
        out.put("perplexity", s.perplexity());
        out.put("masking_seed", o.seed());
        return out;
    }

    private static Map<String, Object> header(SavedModel model, Path data, String kind) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model.directory().path().toString());
        out.put("data", data.toString());
        out.put("kind", kind);
        return out;
    }
}
