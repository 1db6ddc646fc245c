package dev.minibert.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * When {@link VectorKernels} serve: the jdk.incubator.vector module is resolved (java needs
 * {@code --add-modules jdk.incubator.vector}), ND4J runs on the CPU, and the arrays are floats;
 * callers pass views through {@link FlatView#plain}.
 * Otherwise the layers run their ND4J op chains. Kept apart from the kernels so that asking loads no vector class.
 */
public final class VectorSupport {
    private static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && Nd4j.getEnvironment().isCPU();

    private VectorSupport() {
    }

    public static boolean serves(INDArray... arrays) {
        if (!AVAILABLE) {
            return false;
        }
        for (INDArray a : arrays) {
            if (a.dataType() != DataType.FLOAT) {
                return false;
            }
        }
        return true;
    }
}
