package dev.minibert.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opens a report in Debian's headless Chromium and screenshots it; runs only where {@code chromium} is installed. */
@Tag("chromium")
class HtmlReportChromiumTest {
    @TempDir
    Path dir;

    static Path chromium() {
        for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path exe = Path.of(p, "chromium");
            if (Files.isExecutable(exe)) {
                return exe;
            }
        }
        return null;
    }

    @Test
    void reportRendersInHeadlessChromium() throws Exception {
        Path chromium = chromium();
        assumeTrue(chromium != null, "chromium is not on PATH");
        Path html = HtmlReportTest.sampleReport(dir);
        Path shot = dir.resolve("screenshot.png");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + dir.resolve("profile"), "--window-size=1000,1200",
                "--screenshot=" + shot, html.toUri().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("chromium.log"))).isZero();
        BufferedImage img = ImageIO.read(shot.toFile());
        assertThat(img.getWidth()).isEqualTo(1000);
        assertThat(img.getHeight()).isEqualTo(1200);
        assertThat(ChartsTest.luminanceVariance(img)).as("screenshot is not blank").isGreaterThan(100.0);
    }
}
