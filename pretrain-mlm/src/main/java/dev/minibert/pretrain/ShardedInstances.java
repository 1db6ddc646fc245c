package dev.minibert.pretrain;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * The instances of one split of a shard folder as a read-only list: instance i is decoded from the memory-mapped
 * shard files when asked for, so the heap holds no corpus and any index can be read at any time (the epoch
 * permutation, or a data-parallel worker taking every k-th). Thread-safe: only absolute reads of the mappings.
 */
final class ShardedInstances extends AbstractList<Instance> implements RandomAccess {
    private final Mapped[] shards;
    private final int[] firstIndex; // global index of each shard's first instance
    private final int size;
    private final int vocabSize;

    private record Mapped(ShardLayout layout, MappedByteBuffer tokens, MappedByteBuffer index, Path tokensFile) {
    }

    private ShardedInstances(Mapped[] shards, int[] firstIndex, int size, int vocabSize) {
        this.shards = shards;
        this.firstIndex = firstIndex;
        this.size = size;
        this.vocabSize = vocabSize;
    }

    /** Maps the shards of one split; the files' sizes were checked against the manifest by the caller. */
    static ShardedInstances map(Path dir, List<ShardManifest.Shard> shards, int tokenBytes, int vocabSize)
            throws IOException {
        Mapped[] mapped = new Mapped[shards.size()];
        int[] first = new int[shards.size()];
        long total = 0;
        for (int s = 0; s < mapped.length; s++) {
            ShardManifest.Shard shard = shards.get(s);
            first[s] = (int) total;
            total += shard.instances();
            if (total > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(dir.resolve(ShardManifest.FILE) + ": more than "
                        + Integer.MAX_VALUE + " instances in one split");
            }
            Path tokens = dir.resolve(shard.tokensFile().name());
            mapped[s] = new Mapped(new ShardLayout(shard.instances(), shard.tokens(), tokenBytes), map(tokens),
                    map(dir.resolve(shard.indexFile().name())), tokens);
        }
        return new ShardedInstances(mapped, first, (int) total, vocabSize);
    }

    private static MappedByteBuffer map(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MappedByteBuffer buffer = ch.map(FileChannel.MapMode.READ_ONLY, 0, Files.size(file));
            buffer.order(ByteOrder.LITTLE_ENDIAN);
            return buffer;
        }
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Instance get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("instance " + index + " of " + size);
        }
        int s = Arrays.binarySearch(firstIndex, index);
        if (s < 0) {
            s = -s - 2;
        }
        return decode(shards[s], index - firstIndex[s]);
    }

    private Instance decode(Mapped m, int i) {
        ShardLayout l = m.layout();
        long from = m.index().getLong((int) l.offsetAt(i));
        long to = m.index().getLong((int) l.offsetAt(i + 1));
        int bStart = m.index().getInt((int) l.bStartAt(i));
        if (from < 0 || to < from || to > l.tokens() || bStart < 0 || bStart > to - from) {
            throw damaged(m, i);
        }
        int n = (int) (to - from);
        int[] ids = new int[n];
        int[] types = new int[n];
        boolean[] wordStart = new boolean[n];
        for (int t = 0; t < n; t++) {
            long token = from + t;
            ids[t] = l.tokenBytes() == 2 ? Short.toUnsignedInt(m.tokens().getShort((int) (token * 2)))
                    : m.tokens().getInt((int) (token * 4));
            if (ids[t] < 0 || ids[t] >= vocabSize) {
                throw damaged(m, i);
            }
            types[t] = t >= bStart ? 1 : 0;
            wordStart[t] = (m.index().get((int) l.wordStartByte(token)) >> (token % 8) & 1) != 0;
        }
        return new Instance(ids, types, wordStart, (m.index().get((int) l.flagsAt(i)) & 1) != 0);
    }

    private static IllegalStateException damaged(Mapped m, int i) {
        return new IllegalStateException(m.tokensFile() + ": instance " + i + " is damaged (run pretrain with "
                + "--verify-shards, or re-run minibert shard)");
    }
}
