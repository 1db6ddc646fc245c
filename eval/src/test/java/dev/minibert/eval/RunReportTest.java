package dev.minibert.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minibert.model.BlasSelfCheck;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The report rebuilt from a real tiny pretraining run, a classifier finetuned from it, and a bare model directory. */
class RunReportTest {
    @TempDir
    static Path runs;
    static Path pretrain;
    static Path finetune;

    @TempDir
    Path dir;

    @BeforeAll
    static void train() throws Exception {
        BlasSelfCheck.verify();
        TinyRuns.writeInputs(runs.resolve("in"));
        pretrain = TinyRuns.pretrain(runs.resolve("in"), runs.resolve("pretrain"), 6);
        finetune = TinyRuns.finetune(pretrain.resolve("model"), TinyRuns.labeledCsv(runs.resolve("labels.csv")),
                runs.resolve("classifier"));
    }

    private static List<Element> elements(Document doc, String tag) {
        NodeList nodes = doc.getElementsByTagName(tag);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add((Element) nodes.item(i));
        }
        return out;
    }

    @Test
    void everyKindOfDirectoryGetsItsTablesAndCharts() throws Exception {
        Path html = dir.resolve("report.html");
        RunReport.standard().write(List.of(pretrain, finetune, pretrain.resolve("model")), html, "minibert report x");
        Document doc = HtmlReportTest.parse(html);

        assertThat(elements(doc, "h2")).extracting(Element::getTextContent).containsExactly(
                "Pretraining run " + pretrain, "Finetuned model " + finetune, "Model " + pretrain.resolve("model"));
        assertThat(elements(doc, "h3")).extracting(Element::getTextContent).containsExactly(
                "Gradient norms by layer", "LayerNorm gamma over training", "Model config",
                "Gradient norms by layer", "Relative weight change per layer", "LayerNorm gamma over training",
                "LayerNorm gamma of the saved model", "Model config",
                "LayerNorm gamma", "Model config");
        // pretrain: attenuation + gamma; finetune: attenuation + weight change + gamma + saved gamma; model: gamma
        List<Element> tables = elements(doc, "table");
        assertThat(tables).hasSize(7);
        int layerNorms = 2 * 2 + 2; // two per layer, the embeddings' and the MLM head's
        assertThat(tables.get(1).getElementsByTagName("tr").getLength()).isEqualTo(1 + layerNorms);
        assertThat(tables.get(6).getElementsByTagName("tr").getLength()).isEqualTo(1 + layerNorms);
        // the attenuation table of the pretraining run: one row per logged step (6 <= 10)
        assertThat(tables.get(0).getElementsByTagName("tr").getLength()).isEqualTo(1 + 6);

        List<String> captions = elements(doc, "figcaption").stream().map(Element::getTextContent).toList();
        assertThat(captions).containsExactly("Masked-LM loss", "Masked-token accuracy",
                "Gradient norm per layer group", "Gradient norm per layer group, first and last logged step",
                "Mean LayerNorm gamma",
                "Training loss", "Dev metrics per epoch", "Gradient norm per layer group",
                "Gradient norm per layer group, first and last logged step",
                "Relative weight change per layer group since the start of finetuning", "Mean LayerNorm gamma");
        for (Element img : elements(doc, "img")) {
            String src = img.getAttribute("src");
            assertThat(src).startsWith("data:image/png;base64,");
            BufferedImage png = ImageIO.read(new ByteArrayInputStream(
                    Base64.getDecoder().decode(src.substring("data:image/png;base64,".length()))));
            assertThat(png.getWidth()).isEqualTo(Charts.WIDTH);
            assertThat(ChartsTest.luminanceVariance(png)).isGreaterThan(100.0);
        }
        assertThat(elements(doc, "code").get(0).getTextContent()).isEqualTo("minibert report x");
        assertThat(elements(doc, "p").stream().map(Element::getTextContent))
                .anyMatch(p -> p.startsWith("6 logged steps up to step 6; last loss "))
                .anyMatch(p -> p.contains("Best dev macro-F1"));
    }

    @Test
    void aDirectoryNoSectionTakesIsNamedAndNothingIsWritten() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Path html = dir.resolve("report.html");
        assertThatThrownBy(() -> RunReport.standard().write(List.of(pretrain, empty), html, "c"))
                .hasMessageContaining(empty + ": not something to report on")
                .hasMessageContaining("a pretraining run (metrics.jsonl)");
        assertThatThrownBy(() -> RunReport.standard().write(List.of(dir.resolve("absent")), html, "c"))
                .hasMessageContaining("absent: no such directory");
        assertThat(html).doesNotExist();
    }

    @Test
    void aCorruptMetricsLineIsNamed() throws Exception {
        Path broken = Files.createDirectory(dir.resolve("broken"));
        Files.writeString(broken.resolve("metrics.jsonl"), "{\"step\":1,\"loss\":2.0}\n{\"step\":2,\"lo\n");
        Path html = dir.resolve("report.html");
        assertThatThrownBy(() -> RunReport.standard().write(List.of(broken), html, "c"))
                .hasMessageContaining(broken.resolve("metrics.jsonl") + ":2: not JSON");
        assertThat(html).doesNotExist();
    }
}
