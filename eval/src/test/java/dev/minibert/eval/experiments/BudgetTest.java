package dev.minibert.eval.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minibert.model.train.LinearWarmupDecay;
import dev.minibert.model.train.TrainingOptions;
import dev.minibert.pretrain.Pretraining;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sizes by name, finetune-drift's pretraining schedule as pretraining gets it, and a size for one experiment. */
class BudgetTest {
    @TempDir
    Path tmp;

    private ExperimentSetup setup(Budget budget, Integer steps) {
        return new ExperimentSetup(budget, tmp.resolve("corpus.txt"), tmp.resolve("vocab.txt"), null, null, tmp, 42,
                steps, "minibert experiment test", PeerScripts.none("not in this test"));
    }

    private static Pretraining.Options drift(ExperimentSetup s) {
        return s.pretraining("pretrain-post-norm", s.dir().resolve("config.json"), s.budget().driftPretraining(), true);
    }

    @Test
    void everySizeHasItsName() {
        for (String name : new String[] {"tiny", "small", "full", "past-plateau"}) {
            assertThat(Budget.named(name).name()).isEqualTo(name);
        }
        assertThatThrownBy(() -> Budget.named("huge")).hasMessageContaining("past-plateau");
    }

    @Test
    void pastPlateauPretrainsWithNinetyWarmupStepsAndThePeakHeldUntilTheLastFifth() {
        TrainingOptions t = drift(setup(Budget.PAST_PLATEAU, null)).training();
        Budget.Schedule named = Budget.PAST_PLATEAU.driftPretraining();
        assertThat(t.maxSteps()).isEqualTo((long) named.steps());
        assertThat(t.warmupSteps(t.maxSteps())).isEqualTo(90);
        assertThat(t.decayRatio()).isEqualTo(0.2);
        assertThat(t.batchSize()).isEqualTo(16);
        LinearWarmupDecay lr = t.schedule(t.maxSteps());
        long decayFrom = Math.round(0.8 * named.steps());
        assertThat(lr.lr(45)).isEqualTo(0.5e-3);
        assertThat(lr.lr(90)).isEqualTo(1e-3);
        assertThat(lr.lr(decayFrom - 1)).isEqualTo(1e-3);
        assertThat(lr.lr(decayFrom)).isEqualTo(1e-3);
        assertThat(lr.lr(decayFrom + 1)).isLessThan(1e-3);
        assertThat(lr.lr(named.steps() - 1)).isLessThan(1e-4);
        // the model and the labeled sample are small's; the pretraining and the finetuning recipe differ
        assertThat(Budget.PAST_PLATEAU.layers()).isEqualTo(Budget.SMALL.layers());
        assertThat(Budget.PAST_PLATEAU.finetuneRows()).isEqualTo(Budget.SMALL.finetuneRows());
    }

    /** What finetune-drift hands finetuning: past-plateau's 5e-4 for 4 epochs, the other sizes' 1e-4 for theirs. */
    @Test
    void finetuningTakesTheSizesRateAndEpochs() {
        LabeledSample.Files data = new LabeledSample.Files(tmp.resolve("train.jsonl"), tmp.resolve("dev.jsonl"), 0.5);
        for (Budget b : new Budget[] {Budget.TINY, Budget.SMALL, Budget.FULL, Budget.PAST_PLATEAU}) {
            TrainingOptions t = FinetuneDriftExperiment.finetuning(setup(b, null), tmp.resolve("model"), data,
                    tmp.resolve("out")).training();
            assertThat(t.learningRate()).as(b.name()).isEqualTo(b == Budget.PAST_PLATEAU ? 5e-4 : 1e-4);
            assertThat(t.epochs()).as(b.name()).isEqualTo(b == Budget.PAST_PLATEAU ? 4 : b.finetuneEpochs());
        }
        assertThat(Budget.SMALL.finetuneEpochs()).isEqualTo(2);
    }

    @Test
    void theOtherSizesKeepTheLinearScheduleOfTenPercentWarmup() {
        for (Budget b : new Budget[] {Budget.TINY, Budget.SMALL, Budget.FULL}) {
            for (Integer steps : new Integer[] {null, 1, 2, 3, 5, 15, 25, 37, 160, 400}) {
                ExperimentSetup s = setup(b, steps);
                TrainingOptions schedule = drift(s).training();
                TrainingOptions former = s.pretraining("pretrain-post-norm", s.dir().resolve("config.json"),
                        s.steps(b.pretrainSteps()), 0.1, true).training();
                long total = former.maxSteps();
                assertThat(schedule.maxSteps()).isEqualTo(total);
                LinearWarmupDecay now = schedule.schedule(total);
                LinearWarmupDecay then = former.schedule(total);
                for (long step = 0; step < total; step++) {
                    assertThat(now.lr(step)).as("%s, %s steps, step %d", b.name(), steps, step)
                            .isEqualTo(then.lr(step));
                }
            }
        }
    }

    @Test
    void stepsOverrideKeepsTheWarmupFraction() {
        TrainingOptions t = drift(setup(Budget.PAST_PLATEAU, 200)).training();
        assertThat(t.maxSteps()).isEqualTo(200L);
        assertThat(t.warmupSteps(200)).isEqualTo(18); // 90 of 1,000
        assertThat(t.decayRatio()).isEqualTo(0.2);
    }

    @Test
    void pastPlateauIsForFinetuneDriftOnly() {
        Budget.PAST_PLATEAU.checkFor("finetune-drift");
        Budget.SMALL.checkFor("warmup");
        assertThatThrownBy(() -> Budget.PAST_PLATEAU.checkFor("warmup"))
                .hasMessageContaining("finetune-drift only");
        assertThatThrownBy(() -> Experiments.run(new WarmupExperiment(), setup(Budget.PAST_PLATEAU, 2), 1, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finetune-drift only");
        assertThatThrownBy(() -> new Budget.Schedule(10, 1.1, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Budget.Schedule(10, 0.5, 0.6)).isInstanceOf(IllegalArgumentException.class);
    }
}
