package dev.minibert.model;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Which of the encoder's arrays share memory: the one place that says so (llm.c's {@code ActivationTensors}). Every
 * layer declares the same {@link Slot}s in the same order ({@link BertLayer#slots()}); per layer (legend in
 * package-info, dropout's only when it drops, * passed on: read only by the next module of the same forward):
 * <pre>
 *   forward   attention.self    query+key+value y [N,3H], probs [B,A,T,T], dropout.y [B,A,T,T], context [N,H]
 *             attention.output  dense.y* [N,H], dropout.y* [N,H], sum* [N,H], LayerNorm.y [N,H], LayerNorm.xHat [N,H]
 *             intermediate      dense.y [N,I], gelu.y [N,I]
 *             output            as attention.output
 *   backward  the same modules' dx, their widths as their inputs', and attention.self's dDropped [B,A,T,T],
 *             dQKV [N,3H]
 * </pre>
 * The plan:
 * <pre>
 *   training   forward slots:    one memory per layer: backward (or the next layer) reads them
 *              passed-on slots:  two sets, layer i's in set i % 2 (noGrad's): dead once the layer's forward is done
 *              backward slots:   two sets, layer i's in set i % 2: a layer's gradients are dead once the layer below
 *                                has read the one it returned
 *   noGrad     forward and passed-on slots: two sets, layer i's in set i % 2: layer i+1 has read layer i's output
 *                                before layer i+2 writes over it, so memory does not grow with depth
 * </pre>
 * The encoder's final LayerNorm (pre-norm) keeps its own memory.
 */
final class MemoryPlan {
    private final BertConfig config;
    private final List<List<Slot>> layers;
    private final List<Slot> own;
    private final Scratch.Memory[][] training;  // [layer][slot]: forward slots, training
    private final Scratch.Memory[][] shared;    // [set][slot]: forward slots under noGrad, passed-on slots always

    /** layers: each layer's slots, all in one order; own: slots that keep their own memory. */
    MemoryPlan(BertConfig config, List<List<Slot>> layers, List<Slot> own) {
        this.config = config;
        this.layers = layers;
        this.own = own;
        int slots = layers.get(0).size();
        training = memories(layers.size(), slots);
        shared = memories(2, slots);
        Scratch.Memory[][] gradients = memories(2, slots);
        for (int i = 0; i < layers.size(); i++) {
            List<Slot> slotsOfLayer = layers.get(i);
            if (slotsOfLayer.size() != slots) {
                throw new IllegalArgumentException("layer " + i + " declares " + slotsOfLayer.size() + " slots, layer 0 "
                        + slots);
            }
            for (int k = 0; k < slots; k++) {
                switch (slotsOfLayer.get(k).pass()) {
                    case PASSED_ON -> slotsOfLayer.get(k).use(shared[i % 2][k]);
                    case BACKWARD -> slotsOfLayer.get(k).use(gradients[i % 2][k]);
                    case FORWARD -> { } // bound before each forward
                }
            }
        }
    }

    private static Scratch.Memory[][] memories(int sets, int slots) {
        Scratch.Memory[][] memories = new Scratch.Memory[sets][slots];
        for (Scratch.Memory[] set : memories) {
            for (int k = 0; k < slots; k++) {
                set[k] = new Scratch.Memory();
            }
        }
        return memories;
    }

    /** Points layer i's forward slots at its own memory (keepForBackward) or at shared set i % 2. */
    void beforeForward(int layer, boolean keepForBackward) {
        List<Slot> slots = layers.get(layer);
        Scratch.Memory[] memory = keepForBackward ? training[layer] : shared[layer % 2];
        for (int k = 0; k < slots.size(); k++) {
            if (slots.get(k).pass() == Slot.Pass.FORWARD) {
                slots.get(k).use(memory[k]);
            }
        }
    }

    /**
     * The bytes this plan allocates for a forward at batch B and length T (and, with keepForBackward, the backward
     * after it), dropout dropping or not (training): the sum of the declared shapes.
     */
    long bytes(int batch, int seqLen, DataType type, boolean training, boolean keepForBackward) {
        int sets = Math.min(layers.size(), 2);
        long forward = bytes(layers.get(0), Slot.Pass.FORWARD, batch, seqLen, type, training);
        long passedOn = bytes(layers.get(0), Slot.Pass.PASSED_ON, batch, seqLen, type, training);
        long backward = bytes(layers.get(0), Slot.Pass.BACKWARD, batch, seqLen, type, training);
        long ownForward = bytes(own, Slot.Pass.FORWARD, batch, seqLen, type, training);
        long ownBackward = bytes(own, Slot.Pass.BACKWARD, batch, seqLen, type, training);
        return keepForBackward
                ? layers.size() * forward + sets * (passedOn + backward) + ownForward + ownBackward
                : sets * (forward + passedOn) + ownForward;
    }

    private long bytes(List<Slot> slots, Slot.Pass pass, int batch, int seqLen, DataType type, boolean training) {
        return slots.stream().filter(s -> s.pass() == pass && s.writtenWhen(training))
                .mapToLong(s -> s.bytes(config, batch, seqLen, type)).sum();
    }
}
