package dev.minibert.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {
    @TempDir
    Path dir;

    /** The PNG decodes, has the chart's size and is not one flat colour. */
    static BufferedImage assertDrawn(Path png) throws IOException {
        assertThat(png).exists();
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img).as("decodable PNG").isNotNull();
        assertThat(img.getWidth()).isEqualTo(Charts.WIDTH);
        assertThat(img.getHeight()).isEqualTo(Charts.HEIGHT);
        assertThat(luminanceVariance(img)).as("pixel variance").isGreaterThan(100.0);
        return img;
    }

    static double luminanceVariance(BufferedImage img) {
        double sum = 0;
        double sq = 0;
        long n = (long) img.getWidth() * img.getHeight();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                double l = 0.299 * ((rgb >> 16) & 255) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255);
                sum += l;
                sq += l * l;
            }
        }
        double mean = sum / n;
        return sq / n - mean * mean;
    }

    @Test
    void lineChartOnLogAxisIsDrawnAndSkipsPointsItCannotShow() throws IOException {
        Path png = dir.resolve("loss.png");
        double[] x = {1, 2, 3, 4, 5};
        Charts.line(png, "loss", "step", "loss", List.of(
                new Series("post-norm", x, new double[] {5, 3, 2, Double.NaN, 1}),
                new Series("pre-norm", x, new double[] {5, 4, 0, 2, 1.5})), true);
        assertDrawn(png);
        assertThat(Files.list(dir)).containsExactly(png); // no temporary file left behind
    }

    @Test
    void groupedBarsOnLogAxisAreDrawn() throws IOException {
        Path png = dir.resolve("bars.png");
        Map<String, double[]> groups = new LinkedHashMap<>();
        groups.put("init", new double[] {1e-3, 1e-2, 1e-1});
        groups.put("after", new double[] {2e-3, 0, 3e-1});
        Charts.bars(png, "grad norms", "layer", "norm", List.of("layer 0", "layer 1", "layer 2"), groups, true);
        assertDrawn(png);
    }

    @Test
    void aChartWithNothingToShowIsAnErrorNamingTheFile() {
        Path png = dir.resolve("empty.png");
        assertThatThrownBy(() -> Charts.line(png, "t", "x", "y",
                List.of(new Series("s", new double[] {1}, new double[] {-1})), true))
                .hasMessageContaining("empty.png").hasMessageContaining("no plottable value");
        assertThat(png).doesNotExist();
    }

    @Test
    void mismatchedGroupLengthIsRejected() {
        assertThatThrownBy(() -> Charts.bars(dir.resolve("b.png"), "t", "x", "y", List.of("a", "b"),
                Map.of("g", new double[] {1}), false)).hasMessageContaining("group g has 1 values for 2 categories");
    }
}
