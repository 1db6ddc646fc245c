package dev.minibert.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class HtmlReportTest {
    @TempDir
    Path dir;

    /** Parses the page as XML: a malformed page throws. */
    static Document parse(Path html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        return f.newDocumentBuilder().parse(Files.newInputStream(html));
    }

    static Path sampleReport(Path dir) throws IOException {
        Path png = dir.resolve("chart.png");
        double[] x = {0, 1, 2, 3};
        Charts.line(png, "loss", "step", "loss", List.of(new Series("run", x, new double[] {4, 3, 2.5, 2})), false);
        Path html = dir.resolve("report.html");
        new HtmlReport("Run <1> & \"friends\"")
                .heading("Loss").paragraph("a < b && c > d, it's 损失")
                .table(List.of("layer", "norm"), List.of(List.of("embeddings", "0.5"), List.of("layer.0", "<0.1>")))
                .image(png, "loss curve")
                .code("minibert pretrain --out 'run dir' \u0001")
                .table(List.of("k"), List.of(List.of("v")))
                .write(html);
        return html;
    }

    @Test
    void pageIsWellFormedWithEveryTableAndEmbeddedImage() throws Exception {
        Path html = sampleReport(dir);
        Document doc = parse(html);
        assertThat(doc.getElementsByTagName("title").item(0).getTextContent()).isEqualTo("Run <1> & \"friends\"");
        assertThat(doc.getElementsByTagName("h2").item(0).getTextContent()).isEqualTo("Loss");
        assertThat(doc.getElementsByTagName("p").item(0).getTextContent()).isEqualTo("a < b && c > d, it's 损失");
        NodeList tables = doc.getElementsByTagName("table");
        assertThat(tables.getLength()).isEqualTo(2);
        NodeList cells = ((Element) tables.item(0)).getElementsByTagName("td");
        assertThat(cells.getLength()).isEqualTo(4);
        assertThat(cells.item(3).getTextContent()).isEqualTo("<0.1>");
        NodeList imgs = doc.getElementsByTagName("img");
        assertThat(imgs.getLength()).isEqualTo(1);
        String src = ((Element) imgs.item(0)).getAttribute("src");
        assertThat(src).startsWith("data:image/png;base64,");
        byte[] png = Base64.getDecoder().decode(src.substring("data:image/png;base64,".length()));
        assertThat(png).isEqualTo(Files.readAllBytes(dir.resolve("chart.png")));
        assertThat(javax.imageio.ImageIO.read(new ByteArrayInputStream(png))).isNotNull();
        // the control character is dropped, the rest kept verbatim
        assertThat(doc.getElementsByTagName("code").item(0).getTextContent())
                .isEqualTo("minibert pretrain --out 'run dir' ");
        assertThat(Files.list(dir)).containsExactlyInAnyOrder(html, dir.resolve("chart.png"));
    }

    @Test
    void rowOfTheWrongWidthIsRejected() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new HtmlReport("t").table(List.of("a", "b"), List.of(List.of("1"))))
                .hasMessageContaining("table row 0 has 1 cells for 2 columns");
    }
}
