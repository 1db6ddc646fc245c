package dev.minibert.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ScratchTest {

    @Test
    void sameShapeIsReusedAndAReplacedBufferIsFreedAtOnce() {
        INDArray first = Scratch.reuse(null, DataType.FLOAT, 3, 4);
        assertThat(Scratch.reuse(first, DataType.FLOAT, 3, 4)).isSameAs(first);

        INDArray second = Scratch.reuse(first, DataType.FLOAT, 5, 4);
        assertThat(second.shape()).containsExactly(5, 4);
        assertThat(first.data().wasClosed()).as("old buffer released without waiting for the GC").isTrue();
        assertThat(second.data().wasClosed()).isFalse();
    }

    @Test
    void aSmallerShapeReusesTheMemoryAndAGrownBufferGetsHeadroom() {
        INDArray rows600 = Scratch.reuse(null, DataType.FLOAT, 600, 10);
        INDArray rows590 = Scratch.reuse(rows600, DataType.FLOAT, 590, 10);
        assertThat(rows590.data()).as("same memory, no allocation").isSameAs(rows600.data());
        assertThat(FlatView.isPlain(rows590)).isTrue();
        rows590.assign(2);
        assertThat(rows590.sumNumber().doubleValue()).isEqualTo(2 * 590 * 10);

        INDArray rows610 = Scratch.reuse(rows590, DataType.FLOAT, 610, 10);
        assertThat(rows600.data().wasClosed()).as("outgrown memory freed at once").isTrue();
        assertThat(rows610.data().length()).as("1/8 headroom when growing").isEqualTo(6100 + 6100 / 8);
        assertThat(Scratch.reuse(rows610, DataType.FLOAT, 680, 10).data()).isSameAs(rows610.data());
        assertThat(Scratch.reuse(rows610, DataType.DOUBLE, 600, 10).dataType()).isEqualTo(DataType.DOUBLE);
    }

    @Test
    void slotsPointedAtOneMemoryShareIt() {
        Slot a = Slot.forward("a", "N,H");
        Slot b = Slot.forward("b", "N,H");
        Scratch.Memory shared = new Scratch.Memory();
        a.use(shared);
        b.use(shared);
        INDArray first = a.array(DataType.FLOAT, 2, 2);
        assertThat(b.array(DataType.FLOAT, 2, 2)).isSameAs(first);
        assertThat(b.array(DataType.FLOAT, 4, 3).data()).isNotSameAs(first.data());
        assertThat(first.wasClosed()).as("outgrown memory freed at once").isTrue();
        assertThat(Slot.forward("c", "N,H").array(DataType.FLOAT, 4, 3)).as("a slot's own memory")
                .isNotSameAs(a.array(DataType.FLOAT, 4, 3));
    }

    /**
     * A memory asked for two shapes in turn (a forward whose last layer runs on selected rows) hands each shape's
     * array back, the same object over the same memory; once the memory grows, the earlier shape's array (over the
     * freed memory) is never handed out again.
     */
    @Test
    void aMemoryAskedForTwoShapesInTurnGivesEachShapesArrayBack() {
        Scratch.Memory memory = new Scratch.Memory();
        INDArray whole = memory.shaped(DataType.FLOAT, 6, 4);
        INDArray selected = memory.shaped(DataType.FLOAT, 2, 4);
        assertThat(selected.data()).isSameAs(whole.data());
        assertThat(memory.shaped(DataType.FLOAT, 6, 4)).isSameAs(whole);
        assertThat(memory.shaped(DataType.FLOAT, 2, 4)).isSameAs(selected);
        assertThat(memory.shaped(DataType.FLOAT, 2, 4)).isSameAs(selected);

        INDArray grown = memory.shaped(DataType.FLOAT, 9, 4);
        assertThat(whole.data().wasClosed()).isTrue();
        INDArray again = memory.shaped(DataType.FLOAT, 2, 4);
        assertThat(again).as("not the array over the freed memory").isNotSameAs(selected);
        assertThat(again.data()).isSameAs(grown.data());
        assertThat(again.data().wasClosed()).isFalse();
        assertThat(memory.shaped(DataType.FLOAT, 9, 4)).isSameAs(grown);
    }
}
