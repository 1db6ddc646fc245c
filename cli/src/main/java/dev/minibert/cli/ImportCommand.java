package dev.minibert.cli;

import dev.minibert.model.Nd4jSetup;
import dev.minibert.model.io.OnnxImport;
import dev.minibert.tokenizer.Vocab;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code minibert import}: a BERT encoder exported to ONNX becomes an ordinary model directory. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import a BERT encoder from ONNX (HF/optimum export) into a model directory.")
final class ImportCommand implements Callable<Integer> {
    @Option(names = "--onnx", required = true, description = "the .onnx file") Path onnx;

    @ArgGroup(multiplicity = "1")
    Tokenizer tokenizer;

    static final class Tokenizer {
        @Option(names = "--tokenizer", description = "HF tokenizer.json with a WordPiece model") Path tokenizerJson;
        @Option(names = "--vocab", description = "vocab.txt") Path vocab;
    }

    @Option(names = "--lowercase", negatable = true,
            description = "do_lower_case (default: from tokenizer.json's normalizer; true with --vocab)") Boolean lowercase;
    @Option(names = "--out", required = true, description = "model directory: new, empty, or minibert's "
            + "(its model files are replaced as one set; other files stay)") Path out;

    @Override
    public Integer call() throws Exception {
        Nd4jSetup.init(Nd4jSetup.cores());
        Vocab vocab;
        boolean lower;
        if (tokenizer.tokenizerJson != null) {
            OnnxImport.TokenizerJson t = OnnxImport.TokenizerJson.read(tokenizer.tokenizerJson);
            vocab = t.vocab();
            lower = lowercase == null ? t.doLowerCase() : lowercase;
        } else {
            vocab = Vocab.read(tokenizer.vocab);
            lower = lowercase == null || lowercase;
        }
        OnnxImport.importModel(onnx, vocab, lower, out);
        System.err.printf("imported %s into %s%n", onnx, out);
        return 0;
    }
}
