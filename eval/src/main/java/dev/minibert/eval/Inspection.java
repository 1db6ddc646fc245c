package dev.minibert.eval;

import dev.minibert.finetune.BertForSequenceClassification;
import dev.minibert.finetune.DatasetFormat;
import dev.minibert.finetune.EncodedExamples;
import dev.minibert.model.BertConfig;
import dev.minibert.model.BertModel;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.train.GradientProbe;
import dev.minibert.pretrain.Batch;
import dev.minibert.pretrain.BertForMaskedLM;
import dev.minibert.pretrain.Instance;
import dev.minibert.pretrain.MaskingCollator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code minibert inspect}: a saved model's LayerNorm gammas and the gradient norms of one forward/backward pass,
 * without any update. A classifier takes a batch of its labeled data; any other model a masked-LM batch (of a corpus,
 * or of built-in Chinese sentences) masked with a fixed seed. Two gradient views: the weight gradients per layer
 * group, and ‖∂L/∂x‖ at each encoder layer's input, each with its depth fit.
 *
 * @param inputGradNorms ‖∂L/∂x‖ at layer i's input for i &lt; L, and at the last layer's output at index L
 */
public record Inspection(SavedModel model, String batch, double loss, GammaGrowthAnalysis gamma,
                         Map<String, Double> gradNorms, double[] inputGradNorms, List<String> notes) {

    public static Inspection run(SavedModel model, Path data, DatasetFormat format, int batchSize, int maxSeqLen,
                                 long seed) throws IOException {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        ParameterStore store = SavedModel.newStore();
        List<String> notes = new ArrayList<>();
        String batch;
        double loss;
        BertModel bert;
        if (model.kind() == SavedModel.Kind.CLASSIFIER) {
            BertForSequenceClassification cls = model.classifier(store);
            EncodedExamples examples = data == null ? EvalData.builtInClassification(model, maxSeqLen)
                    : EvalData.classification(model, data, format, maxSeqLen);
            int n = Math.min(batchSize, examples.size());
            EncodedExamples.Batch b = examples.range(0, n);
            cls.reseedDropout(seed);
            loss = cls.forwardBackward(b.inputIds(), b.tokenTypeIds(), b.attentionMask(), b.labels(), 1.0);
            bert = cls.bert();
            batch = n + " labeled examples of " + (data == null ? "built-in sentences" : data.toString());
            if (data == null) {
                notes.add("no --data: built-in sentences with labels assigned round-robin (an arbitrary fixed target)");
            }
        } else {
            BertForMaskedLM mlm = model.maskedLm(store, seed);
            List<Instance> instances = EvalData.mlmInstances(model.directory(), data, maxSeqLen, seed);
            int n = Math.min(batchSize, instances.size());
            Batch b = new MaskingCollator(model.directory().vocab(), 0.15, 20, false)
                    .collate(instances.subList(0, n), seed);
            mlm.bert().reseedDropout(seed);
            loss = mlm.forwardBackward(b.inputIds(), b.tokenTypeIds(), b.attentionMask(), b.maskedRows(),
                    b.maskedLabels(), 1.0).loss();
            bert = mlm.bert();
            batch = n + " sequences of " + (data == null ? "built-in Chinese sentences" : data.toString()) + ", "
                    + b.maskedLabels().length + " tokens masked (15%, seed " + seed + ")";
            if (model.kind() == SavedModel.Kind.ENCODER) {
                notes.add("the model has no MLM head: a fresh one (seed " + seed + ") gives the gradients");
            }
        }
        // gammas from the directory: a fresh MLM head is not the model's
        return new Inspection(model, batch, loss, GammaGrowthAnalysis.fromModel(model.directory()),
                GradientProbe.groupNorms(store), bert.layerInputGradNorms(), List.copyOf(notes));
    }

    /** The depth fit of the weight-gradient norms of the encoder layers. */
    public AttenuationAnalysis weightGradFit() {
        return AttenuationAnalysis.ofGroupNorms(gradNorms);
    }

    /** The depth fit of ‖∂L/∂x‖ at the encoder layers' inputs. */
    public AttenuationAnalysis inputGradFit() {
        List<String> layers = new ArrayList<>();
        for (int i = 0; i < inputGradNorms.length - 1; i++) {
            layers.add("layer." + i);
        }
        return AttenuationAnalysis.of(layers, Arrays.copyOf(inputGradNorms, inputGradNorms.length - 1));
    }

    /** The report printed by {@code minibert inspect}. */
    public String render() {
        BertConfig c = model.directory().config();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "model: %s (%s, %s-norm, %d layers, hidden %d, vocab %d)%n",
                model.directory().path(), model.kind().name().toLowerCase(Locale.ROOT),
                c.normStyle == BertConfig.NormStyle.POST ? "post" : "pre", c.numHiddenLayers, c.hiddenSize,
                c.vocabSize));
        out.append("batch: ").append(batch).append('\n');
        notes.forEach(n -> out.append("note: ").append(n).append('\n'));
        out.append("loss: ").append(Format.number(loss)).append("\n\nLayerNorm gamma\n");
        out.append(TextTable.render(GammaGrowthAnalysis.modelTableHeader(), gamma.modelTableRows()));
        out.append(gamma.comparisonSentence()).append("\n\nGradient norms of one batch (no update)\n");
        List<List<String>> gradRows = new ArrayList<>();
        gradNorms.forEach((g, n) -> gradRows.add(List.of(g, Format.number(n))));
        out.append(TextTable.render(List.of("group", "weight grad norm"), gradRows)).append('\n');
        List<List<String>> inputRows = new ArrayList<>();
        for (int i = 0; i < inputGradNorms.length; i++) {
            inputRows.add(List.of(i < inputGradNorms.length - 1 ? "layer." + i + " input" : "last layer output",
                    Format.number(inputGradNorms[i])));
        }
        out.append(TextTable.render(List.of("position", "||dL/dx||"), inputRows)).append('\n');
        if (c.numHiddenLayers >= 2) {
            out.append(fitLine("weight gradients", weightGradFit())).append(fitLine("input gradients", inputGradFit()));
        } else {
            out.append("depth fit: needs at least 2 layers\n");
        }
        return out.toString();
    }

    static String fitLine(String what, AttenuationAnalysis a) {
        return String.format(Locale.ROOT, "%s: first/last layer %s, ln-norm slope per layer %s (x%s per layer), R^2 %s%n",
                what, Format.number(a.firstOverLast()), Format.number(a.slope()), Format.number(a.ratePerLayer()),
                Format.number(a.rSquared()));
    }
}
