package dev.minibert.cli;

import dev.minibert.model.Nd4jSetup;
import dev.minibert.model.io.OnnxExport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code minibert export}: a model directory as a standard ONNX graph that ONNX Runtime and HF's tools can run. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a model directory to ONNX (HF/optimum names: input_ids, attention_mask, token_type_ids "
                + "-> last_hidden_state, pooler_output; logits for a finetuned classifier).")
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "model directory (pretrained, imported or finetuned)")
    Path model;

    @Option(names = "--onnx", required = true, description = ".onnx file to write (atomically)")
    Path onnx;

    @Option(names = "--overwrite", description = "replace --onnx even if minibert did not write it (an .onnx "
            + "minibert exported is replaced without it)")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        Nd4jSetup.init(Nd4jSetup.cores());
        OnnxExport.Summary summary = OnnxExport.export(model, onnx, overwrite);
        String outputs = summary.classifier() ? "logits (" + summary.numLabels() + " labels)"
                : summary.pooler() ? "last_hidden_state, pooler_output" : "last_hidden_state";
        System.err.printf("exported %s to %s: opset %d, outputs %s%n", model, onnx, OnnxExport.OPSET, outputs);
        return 0;
    }
}
