package dev.minibert.eval;

import dev.minibert.model.io.ModelDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A model directory on its own (an imported or saved model): its config and every LayerNorm's gamma. */
public final class ModelDirSection implements RunSection {
    @Override
    public boolean accepts(Path dir) {
        return Files.isRegularFile(dir.resolve(ModelDirectory.CONFIG))
                && Files.isRegularFile(dir.resolve(ModelDirectory.WEIGHTS));
    }

    @Override
    public String describes() {
        return "a model directory (" + ModelDirectory.CONFIG + " and " + ModelDirectory.WEIGHTS + ")";
    }

    @Override
    public void render(Path dir, HtmlReport report, Path charts) throws IOException {
        SavedModel model = SavedModel.open(dir);
        report.heading("Model " + dir);
        report.paragraph("Kind: " + switch (model.kind()) {
            case CLASSIFIER -> "classifier with labels " + model.labels().names();
            case MASKED_LM -> "masked-LM model (encoder and MLM head)";
            case ENCODER -> "encoder without an MLM head";
        } + ".");
        gammaOfModel(report, model.directory(), "LayerNorm gamma");
        RunCharts.jsonFile(report, dir.resolve(ModelDirectory.CONFIG), "Model config");
    }

    /** The gamma table of a saved model's LayerNorms, with the last-LayerNorm comparison. */
    static void gammaOfModel(HtmlReport report, ModelDirectory dir, String title) {
        GammaGrowthAnalysis g = GammaGrowthAnalysis.fromModel(dir);
        report.subheading(title).paragraph(g.comparisonSentence());
        report.table(GammaGrowthAnalysis.modelTableHeader(), g.modelTableRows());
    }
}
