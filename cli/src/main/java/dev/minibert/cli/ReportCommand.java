package dev.minibert.cli;

import dev.minibert.eval.HtmlReport;
import dev.minibert.eval.QuickstartSection;
import dev.minibert.eval.RunReport;
import dev.minibert.eval.ShellCommand;
import dev.minibert.eval.experiments.ExperimentSection;
import dev.minibert.model.io.OutputFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code minibert report}: one self-contained HTML page rebuilt from saved runs and models. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Rebuild one self-contained HTML report (charts embedded) from saved directories:",
                "quickstart runs (DIR/quickstart.json), experiment folders (DIR/experiment.json), pretraining runs (DIR/metrics.jsonl),",
                "finetuned models (DIR/training/metrics.jsonl), model directories."})
final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR", description = "run or model directories, in report order")
    List<Path> dirs;
    @Option(names = "--out", defaultValue = "report.html", description = "HTML file to write")
    Path out;
    @Option(names = "--overwrite", description = "replace --out even if it is not a report minibert wrote")
    boolean overwrite;

    @Override
    public Integer call() throws IOException {
        OutputFile.requireReplaceable(out, overwrite, HtmlReport::writtenByMinibert);
        List<String> words = new ArrayList<>(List.of("minibert", "report"));
        dirs.forEach(d -> words.add(d.toString()));
        words.addAll(List.of("--out", out.toString()));
        RunReport.standard().withFirst(new ExperimentSection()).withFirst(new QuickstartSection())
                .write(dirs, out, ShellCommand.of(words));
        System.out.println(out.toAbsolutePath());
        return 0;
    }
}
