package dev.minibert.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minibert.model.BertConfig;
import org.junit.jupiter.api.Test;

/** The short-warmup warning: post-norm from scratch below the measured 90 steps, and only then. */
class WarmupWarningTest {
    private static final BertConfig POST = BertConfig.builder().normStyle(BertConfig.NormStyle.POST).build();

    @Test
    void warnsForAPostNormModelFromScratchWithLessWarmupThanMeasured() {
        assertThat(Pretraining.warmupWarning(POST, true, 0, 1000)).contains("warmup of 0 steps", "--warmup-steps 90");
        assertThat(Pretraining.warmupWarning(POST, true, 89, 1000)).contains("warmup of 89 steps");
    }

    @Test
    void staysQuietWhereTheFindingDoesNotApply() {
        assertThat(Pretraining.warmupWarning(POST, true, 90, 1000)).as("enough warmup").isNull();
        assertThat(Pretraining.warmupWarning(POST, false, 0, 1000)).as("continued pretraining").isNull();
        assertThat(Pretraining.warmupWarning(POST.toBuilder().normStyle(BertConfig.NormStyle.PRE).build(), true, 0, 1000))
                .as("pre-norm").isNull();
        assertThat(Pretraining.warmupWarning(POST, true, 10, 90)).as("a run too short to warm up for 90").isNull();
    }
}
