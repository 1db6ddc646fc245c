package dev.minibert.eval.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peer on minibert's preloaded OpenBLAS against the peer as built (torch's generic BLAS), the truth: the same
 * tiny pretraining run gives the same curves up to float rounding. Skipped where python has no torch, or where the
 * preload does not apply (torch with its own BLAS).
 */
class PeerBlasTest {
    /**
     * Relative bound on a gradient norm or ratio: one float dot product of length k may round differently by up to
     * k · 2^-24 of its terms' sum (3.8e-6 for the tiny model's longest, 64), and a gradient passes a few of them;
     * measured differences are about 1e-7, while a wrong kernel or an unbound symbol moves them by whole percents.
     */
    private static final double NORM = 1e-5;
    /**
     * Absolute bound on a LayerNorm gamma statistic: Adam's step is lr · m / sqrt(v), so a gradient's rounding moves
     * a gamma by ~1e-5 · lr = 1e-8 a step, below float's 1.2e-7 spacing at 1; the bound allows a few spacings.
     */
    private static final double GAMMA = 1e-6;
    /** The peer prints the loss to 4 decimals: a rounding difference may flip the last one. */
    private static final double LOSS = 1e-4;

    @TempDir
    Path tmp;

    @Test
    void thePeerOnMinibertsOpenBlasGivesTheCurvesOfThePeerAsBuilt() throws IOException, PeerScripts.NotRun {
        PeerScripts peer = PeerScripts.at(Path.of("../scripts"), Path.of("../scripts/peer"));
        String missing = peer.missing(PeerScripts.PRETRAIN);
        assumeTrue(missing == null, missing);
        PeerBlas preloaded = peer.blas();
        assumeTrue(!preloaded.environment().isEmpty(), preloaded.statement());
        assertThat(preloaded.statement()).startsWith("minibert's OpenBLAS, ").contains("libopenblas",
                "preloaded in place of torch's generic BLAS", "OPENBLAS_CORETYPE=Haswell");
        TinyData data = TinyData.write(tmp);
        Path tokens = tmp.resolve("corpus.tok.jsonl");
        PeerScripts.tokenize(data.corpus, data.vocab, tokens);
        List<String> args = new ArrayList<>(PeerScripts.arguments(tokens, Budget.TINY, Vocab.read(data.vocab).size(),
                7));
        args.addAll(List.of("--steps", String.valueOf(Budget.TINY.gammaSteps())));

        peer.run(PeerScripts.PRETRAIN, args, tmp.resolve("as-built.jsonl"), PeerBlas.asBuilt("the truth"));
        peer.run(PeerScripts.PRETRAIN, args, tmp.resolve("openblas.jsonl"), preloaded);

        List<JsonNode> truth = ProbeExperimentsTest.metrics(tmp.resolve("as-built.jsonl"));
        List<JsonNode> fast = ProbeExperimentsTest.metrics(tmp.resolve("openblas.jsonl"));
        assertThat(fast).hasSameSizeAs(truth).hasSize(Budget.TINY.gammaSteps());
        boolean anyBitDiffers = false;
        for (int i = 0; i < truth.size(); i++) {
            JsonNode t = truth.get(i);
            JsonNode f = fast.get(i);
            String step = "step " + (i + 1);
            assertThat(f.get("loss").asDouble()).as(step + " loss").isCloseTo(t.get("loss").asDouble(), within(LOSS));
            for (String ratio : List.of("ratio", "weight_ratio")) {
                assertThat(f.get(ratio).asDouble()).as(step + " " + ratio)
                        .isCloseTo(t.get(ratio).asDouble(), within(NORM * t.get(ratio).asDouble()));
            }
            for (int layer = 0; layer < t.get("grad_norms").size(); layer++) {
                double expected = t.get("grad_norms").get(layer).asDouble();
                double actual = f.get("grad_norms").get(layer).asDouble();
                assertThat(actual).as(step + " layer " + layer + " gradient norm")
                        .isCloseTo(expected, within(NORM * expected));
                anyBitDiffers |= actual != expected;
            }
            Iterator<Map.Entry<String, JsonNode>> norms = t.get("layer_norm_gamma").fields();
            while (norms.hasNext()) {
                Map.Entry<String, JsonNode> norm = norms.next();
                for (String stat : List.of("mean", "max", "min", "std")) {
                    assertThat(f.get("layer_norm_gamma").get(norm.getKey()).get(stat).asDouble())
                            .as(step + " " + norm.getKey() + " " + stat)
                            .isCloseTo(norm.getValue().get(stat).asDouble(), within(GAMMA));
                }
            }
        }
        assertThat(anyBitDiffers).as("the products ran on another BLAS (bit-identical norms: the preload took no "
                + "effect, and this test compared the peer with itself)").isTrue();
    }
}
