package dev.minibert.eval.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.eval.experiments.Verdict.Status;
import org.junit.jupiter.api.Test;

/** Each experiment's verdict rule on synthetic numbers: every outcome is reachable, and the numbers are quoted. */
class VerdictTest {

    @Test
    void attenuationNeedsPostNormAttenuatedAndTenTimesBelowPreNorm() {
        Verdict shown = AttenuationExperiment.verdict(0.004, 0.9, 0.002, 30, 12, 0.95, 3.1);
        assertThat(shown.status()).isEqualTo(Status.SHOWN);
        assertThat(shown.summary()).contains("post-norm 0.004", "pre-norm 0.9", "layer 11", "lowest 0.00200 at step 30",
                "post-norm 0.95");
        assertThat(AttenuationExperiment.verdict(0.09, 0.9, 0.01, 5, 12, 1, 1).status()).isEqualTo(Status.SHOWN);
        assertThat(AttenuationExperiment.verdict(0.1, 0.9, 0.01, 5, 12, 1, 1).status()).isEqualTo(Status.NOT_SHOWN);
        // pre-norm's lower layers gaining is not post-norm's attenuating (this budget's full-size run: 0.87 vs 8.9)
        assertThat(AttenuationExperiment.verdict(0.87, 8.9, 0.017, 84, 12, 1, 1).status())
                .isEqualTo(Status.NOT_SHOWN);
        assertThat(AttenuationExperiment.verdict(1.2, 0.9, 0.5, 5, 12, 1, 1).status()).isEqualTo(Status.CONTRADICTED);
    }

    @Test
    void initStdNeedsNearIdentityAtSmallStdAndMoreAttenuationAtPointOne() {
        // the peer's numbers: 0.95 at 0.02, 0.4 at 0.1, above 10 at 0.2
        Verdict shown = InitStdExperiment.verdict(new double[] {0.95, 0.7, 0.4, 12, 0.5});
        assertThat(shown.status()).isEqualTo(Status.SHOWN);
        assertThat(shown.summary()).contains("std 0.02 0.95", "0.1 0.4", "0.2 12", "not monotone");
        assertThat(InitStdExperiment.verdict(new double[] {0.95, 0.9, 0.85, 0.8, 1}).status())
                .isEqualTo(Status.NOT_SHOWN);
        assertThat(InitStdExperiment.verdict(new double[] {0.7, 0.5, 0.3, 0.2, 1}).status())
                .as("0.02 itself attenuates").isEqualTo(Status.NOT_SHOWN);
        Verdict contradicted = InitStdExperiment.verdict(new double[] {0.96, 0.97, 1.03, 1.16, 1.09});
        assertThat(contradicted.status()).isEqualTo(Status.CONTRADICTED);
        assertThat(InitStdExperiment.verdict(new double[] {1, 0.9, 0.7, 0.5, 1}).summary()).contains("monotone")
                .doesNotContain("not monotone");
    }

    @Test
    void warmupIsShownOnlyWhenTheRunWithoutWarmupAloneDiverges() {
        WarmupExperiment.Run calm = new WarmupExperiment.Run(new LossCurve.Plateau(20, -1), -1, 6.4, 400);
        WarmupExperiment.Run diverged = new WarmupExperiment.Run(new LossCurve.Plateau(20, -1), 150, 9.1, 155);
        Verdict shown = WarmupExperiment.verdict(calm, diverged, 6.37);
        assertThat(shown.status()).isEqualTo(Status.SHOWN);
        assertThat(shown.summary()).contains("without warmup: diverged at step 150", "with warmup: no divergence in 400",
                "on the plateau from step 20 to the end", "6.370");
        assertThat(WarmupExperiment.verdict(diverged, calm, 6.37).status()).isEqualTo(Status.CONTRADICTED);
        assertThat(WarmupExperiment.verdict(calm, calm, 6.37).status()).isEqualTo(Status.NOT_SHOWN);
        assertThat(WarmupExperiment.verdict(diverged, diverged, 6.37).status()).isEqualTo(Status.NOT_SHOWN);
    }

    @Test
    void headLnIsShownWhenOnlyTheLastLayerNormGrowsAndOnlyWithoutTheTransform() {
        HeadLnExperiment.Gammas with = new HeadLnExperiment.Gammas(0.97, 1.0, 0.03, 1.01);
        HeadLnExperiment.Gammas without = new HeadLnExperiment.Gammas(1.28, 1.0, 0.04, Double.NaN);
        Verdict shown = HeadLnExperiment.verdict(with, without, 800);
        assertThat(shown.status()).isEqualTo(Status.SHOWN);
        assertThat(shown.summary()).contains("800 steps", "without the head transform 1.280", "with it 0.970");
        HeadLnExperiment.Gammas everyLayerGrows = new HeadLnExperiment.Gammas(1.28, 1.2, 0.2, Double.NaN);
        assertThat(HeadLnExperiment.verdict(with, everyLayerGrows, 800).status()).isEqualTo(Status.NOT_SHOWN);
        HeadLnExperiment.Gammas flat = new HeadLnExperiment.Gammas(1.02, 1.0, 0.01, Double.NaN);
        assertThat(HeadLnExperiment.verdict(with, flat, 800).status()).isEqualTo(Status.NOT_SHOWN);
        HeadLnExperiment.Gammas grownWith = new HeadLnExperiment.Gammas(1.3, 1.0, 0.02, 1.0);
        assertThat(HeadLnExperiment.verdict(grownWith, flat, 800).status()).isEqualTo(Status.CONTRADICTED);
    }

    @Test
    void finetuneDriftNeedsPostNormLowerLayersToMoveClearlyLess() {
        Verdict shown = FinetuneDriftExperiment.verdict(0.4, 0.9, 0.44, 1.6, 4);
        assertThat(shown.status()).isEqualTo(Status.SHOWN);
        assertThat(shown.summary()).contains("layer 3", "post-norm 0.4", "pre-norm 0.9", "post-norm 0.440, pre-norm 1.60");
        assertThat(FinetuneDriftExperiment.verdict(0.8, 0.9, 1, 1, 4).status()).isEqualTo(Status.NOT_SHOWN);
        assertThat(FinetuneDriftExperiment.verdict(1.05, 1.0, 1, 1, 4).status()).isEqualTo(Status.CONTRADICTED);
        // the peer's bge finding: layer 0 moves as much as the last layer
        assertThat(FinetuneDriftExperiment.verdict(1.0, 1.0, 1, 1, 4).status()).isEqualTo(Status.CONTRADICTED);
    }
}
