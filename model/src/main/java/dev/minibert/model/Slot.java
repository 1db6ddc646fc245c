package dev.minibert.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One array a module writes, declared with its name and its shape in the legend's letters (package-info): e.g.
 * {@code attention.self.probs [B,A,T,T]}, or {@code LayerNorm.xHat [N,768]} where a module knows its width as a
 * number. Its memory is its own until the encoder's {@link MemoryPlan} points it at memory it shares.
 */
final class Slot {
    /**
     * When it is written and read: by every forward, and read by backward or the next layer (outputs, what backward
     * keeps); by every forward, and read only by the next module in that forward (dead by backward); by backward.
     */
    enum Pass { FORWARD, PASSED_ON, BACKWARD }

    private final String name;
    private final String shape;
    private Pass pass;
    private final boolean dropout;
    private final boolean keptOnly; // a forward slot written only by a forward that keeps it for backward
    private Scratch.Memory memory = new Scratch.Memory();

    private Slot(String name, String shape, Pass pass, boolean dropout, boolean keptOnly) {
        this.name = name;
        this.shape = shape;
        this.pass = pass;
        this.dropout = dropout;
        this.keptOnly = keptOnly;
    }

    /** Written by every forward. */
    static Slot forward(String name, String shape) {
        return new Slot(name, shape, Pass.FORWARD, false, false);
    }

    /**
     * Written by a forward only to be read by backward (LayerNorm's xHat): not written, nor allocated, by a forward
     * that keeps nothing for backward (noGrad).
     */
    static Slot keptForBackward(String name, String shape) {
        return new Slot(name, shape, Pass.FORWARD, false, true);
    }

    /** Written by backward. */
    static Slot backward(String name, String shape) {
        return new Slot(name, shape, Pass.BACKWARD, false, false);
    }

    /** Written by a dropout only when it drops (a training forward, and the backward after it). */
    static Slot dropout(String name, String shape, Pass pass) {
        return new Slot(name, shape, pass, true, false);
    }

    /** Declares a forward slot dead once the next module of the same forward has read it; returns this. */
    Slot passedOn() {
        if (pass != Pass.FORWARD) {
            throw new IllegalStateException(this + " is not a forward slot");
        }
        pass = Pass.PASSED_ON;
        return this;
    }

    /** This slot's array at this call's shape, over its memory. */
    INDArray array(DataType type, long... shape) {
        return memory.shaped(type, shape);
    }

    void use(Scratch.Memory shared) {
        memory = shared;
    }

    Pass pass() {
        return pass;
    }

    /**
     * Whether a pass with (training) or without dropout, keeping activations for backward or not (noGrad), writes it.
     */
    boolean writtenWhen(boolean training, boolean keepForBackward) {
        return (training || !dropout) && (keepForBackward || !keptOnly);
    }

    /** Its declared shape for this config, batch B and sequence length T: each axis a number, a letter or k·letter. */
    long[] shape(BertConfig config, int batch, int seqLen) {
        return Arrays.stream(shape.split(",")).mapToLong(axis -> {
            int letterAt = 0;
            while (letterAt < axis.length() && Character.isDigit(axis.charAt(letterAt))) {
                letterAt++;
            }
            long factor = letterAt == 0 ? 1 : Long.parseLong(axis.substring(0, letterAt));
            if (letterAt == axis.length()) {
                return factor;
            }
            return factor * switch (axis.substring(letterAt)) {
                case "B" -> batch;
                case "T" -> seqLen;
                case "N" -> (long) batch * seqLen;
                case "H" -> config.hiddenSize;
                case "A" -> config.numAttentionHeads;
                case "d" -> config.headSize();
                case "I" -> config.intermediateSize;
                default -> throw new IllegalStateException(name + ": no legend letter in axis '" + axis + "'");
            };
        }).toArray();
    }

    long bytes(BertConfig config, int batch, int seqLen, DataType type) {
        return Arrays.stream(shape(config, batch, seqLen)).reduce(type.width(), Math::multiplyExact);
    }

    /** The slots of several modules, in order. */
    @SafeVarargs
    static List<Slot> all(List<Slot>... modules) {
        List<Slot> all = new ArrayList<>();
        Arrays.stream(modules).forEach(all::addAll);
        return all;
    }

    @Override
    public String toString() {
        return name + " [" + shape + "]";
    }
}
