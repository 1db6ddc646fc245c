package dev.minibert.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The seeded epoch permutation, and HF's group_by_length on top of it. */
class EpochOrderTest {
    private static final int SIZE = 1000;
    private static final int BATCH = 8; // megabatch: min(1000 / 32, 50) = 31 batches = 248 rows

    private static int[] epoch(EpochOrder order, int epoch) {
        int batches = (SIZE + BATCH - 1) / BATCH;
        return IntStream.range(epoch * batches, (epoch + 1) * batches)
                .flatMap(g -> Arrays.stream(order.batch(g))).toArray();
    }

    private static int[] randomLengths(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return IntStream.range(0, SIZE).map(i -> 3 + r.nextInt(60)).toArray();
    }

    @Test
    void everyEpochVisitsEveryInstanceOnceInASeedDependentOrder() {
        int[] first = epoch(new EpochOrder(SIZE, BATCH, 5), 0);
        assertThat(first).containsExactlyInAnyOrder(IntStream.range(0, SIZE).toArray());
        assertThat(first).isNotEqualTo(epoch(new EpochOrder(SIZE, BATCH, 5), 1));
        assertThat(first).isNotEqualTo(epoch(new EpochOrder(SIZE, BATCH, 6), 0));
        assertThat(first).isEqualTo(epoch(new EpochOrder(SIZE, BATCH, 5), 0));
    }

    @Test
    void groupingByLengthSortsEachMegabatchOfThePlainPermutationLongestFirst() {
        int[] lengths = randomLengths(1);
        for (int e = 0; e < 2; e++) {
            int[] plain = epoch(new EpochOrder(SIZE, BATCH, 9), e);
            int[] grouped = epoch(EpochOrder.groupedByLength(lengths, BATCH, 9), e);
            int megabatch = 31 * BATCH;
            for (int from = 0; from < SIZE; from += megabatch) {
                int to = Math.min(SIZE, from + megabatch);
                int[] mine = Arrays.copyOfRange(grouped, from, to);
                assertThat(mine).as("megabatch at %d holds the plain order's rows", from)
                        .containsExactlyInAnyOrder(Arrays.copyOfRange(plain, from, to));
                for (int i = 1; i < mine.length; i++) {
                    assertThat(lengths[mine[i]]).isLessThanOrEqualTo(lengths[mine[i - 1]]);
                    if (lengths[mine[i]] == lengths[mine[i - 1]]) { // stable: ties keep the shuffled order
                        assertThat(indexOf(plain, mine[i])).isGreaterThan(indexOf(plain, mine[i - 1]));
                    }
                }
            }
        }
    }

    @Test
    void groupedBatchesPadToFarFewerTokens() {
        int[] lengths = randomLengths(2);
        assertThat(paddedTokens(EpochOrder.groupedByLength(lengths, BATCH, 3), lengths))
                .isLessThan(paddedTokens(new EpochOrder(SIZE, BATCH, 3), lengths) * 7 / 10); // expected ≈ 34 / 55
    }

    @Test
    void theCallersLengthsAreCopied() {
        int[] lengths = randomLengths(4);
        EpochOrder order = EpochOrder.groupedByLength(lengths, BATCH, 3);
        int[] before = epoch(order, 2);
        Arrays.fill(lengths, 1);
        assertThat(epoch(order, 3)).isEqualTo(epoch(EpochOrder.groupedByLength(randomLengths(4), BATCH, 3), 3));
    }

    private static long paddedTokens(EpochOrder order, int[] lengths) {
        long total = 0;
        for (int g = 0; g < (SIZE + BATCH - 1) / BATCH; g++) {
            int[] b = order.batch(g);
            total += (long) b.length * Arrays.stream(b).map(i -> lengths[i]).max().orElseThrow();
        }
        return total;
    }

    private static int indexOf(int[] a, int v) {
        List<Integer> list = new ArrayList<>();
        Arrays.stream(a).forEach(list::add);
        return list.indexOf(v);
    }
}
