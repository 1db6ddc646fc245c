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
        assertThat(first.wasClosed()).as("old buffer released without waiting for the GC").isTrue();
        assertThat(second.wasClosed()).isFalse();
    }

    @Test
    void aPoolHandsOutItsBuffersInCallOrderAndFreesThoseItReplaces() {
        Scratch.Pool pool = new Scratch.Pool();
        INDArray a;
        INDArray b;
        try (Scratch.Opened ignored = pool.open()) {
            a = Scratch.reuse(null, DataType.FLOAT, 2, 2);
            b = Scratch.reuse(null, DataType.FLOAT, 2, 3);
        }
        try (Scratch.Opened ignored = pool.open()) {
            assertThat(Scratch.reuse(null, DataType.FLOAT, 2, 2)).isSameAs(a);
            INDArray c = Scratch.reuse(null, DataType.FLOAT, 4, 3);
            assertThat(c).isNotSameAs(b);
            assertThat(b.wasClosed()).isTrue();
        }
        // closed: reuse no longer consults the pool
        INDArray own = Scratch.reuse(null, DataType.FLOAT, 2, 2);
        assertThat(own).isNotSameAs(a);
    }
}
