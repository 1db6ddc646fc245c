package dev.minibert.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.minibert.eval.ModelEvaluation;
import dev.minibert.eval.SavedModel;
import dev.minibert.model.Nd4jSetup;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code minibert eval}: one JSON line of metrics for a classifier or a masked-LM model on a file. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Score a saved model on a file; one JSON line on stdout.",
                "A finetuned classifier (labels.json): accuracy, macro/micro-F1, per-class precision/recall/F1, "
                        + "confusion matrix, bootstrap 95%% intervals; --data is a labeled CSV/TSV/JSONL file.",
                "A masked-LM model (pretrain's model/): masked-token accuracy and perplexity with a fixed masking "
                        + "seed; --data is a corpus (one sentence per line, blank line between documents)."})
final class EvalCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--model", required = true, description = "model directory") Path model;
    @Option(names = "--data", required = true, description = "labeled file (classifier) or corpus (masked LM)") Path data;
    @Mixin DatasetColumns columns;
    @Option(names = "--batch-size", defaultValue = "32", description = "examples per forward pass") int batchSize;
    @Option(names = "--max-seq-len", defaultValue = "128", description = "truncate to this many tokens, [CLS]/[SEP] included") int maxSeqLen;
    @Option(names = "--max-predictions-per-seq", defaultValue = "20", description = "masked LM: masked tokens per sequence at most")
    int maxPredictions;
    @Option(names = "--bootstrap", defaultValue = "1000", description = "classifier: bootstrap resamples")
    int bootstrap;
    @Option(names = "--seed", defaultValue = "42", description = "masking and bootstrap seed")
    long seed;
    @Mixin ThreadsOption threads;

    @Override
    public Integer call() throws IOException {
        Nd4jSetup.init(threads.count());
        SavedModel saved = SavedModel.open(model);
        var result = ModelEvaluation.run(saved, data, new ModelEvaluation.Options(columns.formatFor(saved, data), batchSize,
                maxSeqLen, maxPredictions, bootstrap, seed));
        System.out.println(JSON.writeValueAsString(result));
        System.out.flush();
        return 0;
    }
}
