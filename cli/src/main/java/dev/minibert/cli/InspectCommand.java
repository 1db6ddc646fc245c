package dev.minibert.cli;

import dev.minibert.eval.Inspection;
import dev.minibert.eval.SavedModel;
import dev.minibert.model.Nd4jSetup;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code minibert inspect}: the reviewer's quick look at a model, without training. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Print every LayerNorm's gamma statistics and the per-layer gradient norms of one batch "
                + "(one forward/backward, no update), with the attenuation fit over depth.",
                "A classifier takes --data as a labeled file; any other model a masked-LM batch of --data as a "
                        + "corpus. Without --data: built-in Chinese sentences."})
final class InspectCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "model directory") Path model;
    @Option(names = "--data", description = "labeled file (classifier) or corpus (other models) (default: built-in Chinese sentences)") Path data;
    @Mixin DatasetColumns columns;
    @Option(names = "--batch-size", defaultValue = "8", description = "examples in the one inspected batch") int batchSize;
    @Option(names = "--max-seq-len", defaultValue = "64", description = "truncate to this many tokens, [CLS]/[SEP] included") int maxSeqLen;
    @Option(names = "--seed", defaultValue = "42", description = "masking, dropout and fresh-head seed") long seed;
    @Mixin ThreadsOption threads;

    @Override
    public Integer call() throws IOException {
        Nd4jSetup.init(threads.count());
        SavedModel saved = SavedModel.open(model);
        Inspection inspection = Inspection.run(saved, data, columns.formatFor(saved, data), batchSize, maxSeqLen, seed);
        System.out.print(inspection.render());
        System.out.flush();
        return 0;
    }
}
