package dev.minibert.cli;

import dev.minibert.model.BertConfig;
import dev.minibert.model.BertModel;
import dev.minibert.model.Initializer;
import dev.minibert.model.Nd4jSetup;
import dev.minibert.model.ParameterStore;
import dev.minibert.model.io.ModelDirectory;
import dev.minibert.tokenizer.Vocab;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes a freshly initialised BERT (encoder + pooler) as a HuggingFace-style model directory. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Write a freshly initialised model directory (config.json, vocab.txt, model.safetensors).")
final class InitCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "HF-style config.json for the model")
    Path config;

    @Option(names = "--vocab", required = true, description = "vocab.txt; its size must equal the config's vocab_size")
    Path vocab;

    @Option(names = "--out", required = true, description = "model directory: new, empty, or minibert's "
            + "(its model files are replaced as one set; other files stay)")
    Path out;

    @Option(names = "--seed", defaultValue = "42", description = "initialisation seed")
    long seed;

    @Option(names = "--lowercase", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "do_lower_case recorded in tokenizer_config.json (default: true)")
    boolean lowercase;

    @Override
    public Integer call() throws Exception {
        Nd4jSetup.init(Nd4jSetup.cores());
        BertConfig cfg = BertConfig.read(config);
        Vocab v = Vocab.read(vocab);
        if (v.size() != cfg.vocabSize) {
            throw new IllegalArgumentException(vocab + " has " + v.size() + " tokens but " + config
                    + " says vocab_size " + cfg.vocabSize);
        }
        ParameterStore store = new ParameterStore(DataType.FLOAT);
        new BertModel(cfg, store, "bert.", true);
        Initializer.initialize(store, cfg.initializerRange, seed);
        ModelDirectory.save(out, cfg, v, lowercase, store, Map.of());
        System.err.printf("wrote %s: %,d parameters, %d layers, hidden %d%n", out, store.count(),
                cfg.numHiddenLayers, cfg.hiddenSize);
        return 0;
    }
}
