package dev.minibert.pretrain;

import dev.minibert.model.io.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes the instances of one split, in the order given, into shards {@code <split>-00000.bin/.idx}, ... of at most
 * {@code tokensPerShard} tokens each. Tokens stream to disk; only the open shard's index is held in memory.
 */
final class ShardWriter {
    private final Path dir;
    private final String split;
    private final int tokenBytes;
    private final long tokensPerShard;
    private final List<ShardManifest.Shard> done = new ArrayList<>();
    private Open open;

    ShardWriter(Path dir, String split, int tokenBytes, long tokensPerShard) {
        this.dir = dir;
        this.split = split;
        this.tokenBytes = tokenBytes;
        this.tokensPerShard = tokensPerShard;
    }

    void add(Instance instance) throws IOException {
        if (open != null && open.tokens + instance.length() > tokensPerShard) {
            done.add(open.close());
            open = null;
        }
        if (open == null) {
            open = new Open(String.format("%s-%05d", split, done.size()));
        }
        open.add(instance);
    }

    /** Closes the last shard; the shards written, in order. */
    List<ShardManifest.Shard> finish() throws IOException {
        if (open != null) {
            done.add(open.close());
            open = null;
        }
        return done;
    }

    /** The shard being written: its tokens file is open, its index grows in memory. */
    private final class Open {
        private final String name;
        private final FileChannel tokensChannel;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        private final MessageDigest tokensDigest = Sha256.digest();
        private long[] offsets = new long[1024];
        private int[] bStarts = new int[1024];
        private byte[] flags = new byte[1024];
        private final BitSet wordStarts = new BitSet();
        private int instances;
        private long tokens;

        Open(String name) throws IOException {
            this.name = name;
            this.tokensChannel = FileChannel.open(dir.resolve(name + ".bin"), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
        }

        void add(Instance instance) throws IOException {
            if (instances + 1 >= offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
                bStarts = Arrays.copyOf(bStarts, bStarts.length * 2);
                flags = Arrays.copyOf(flags, flags.length * 2);
            }
            int[] ids = instance.inputIds();
            int bStart = ids.length;
            while (bStart > 0 && instance.tokenTypeIds()[bStart - 1] == 1) {
                bStart--;
            }
            for (int t = 0; t < ids.length; t++) {
                if (buffer.remaining() < tokenBytes) {
                    drain();
                }
                if (tokenBytes == 2) {
                    buffer.putShort((short) ids[t]);
                } else {
                    buffer.putInt(ids[t]);
                }
                wordStarts.set(Math.toIntExact(tokens + t), instance.wordStart()[t]);
            }
            bStarts[instances] = bStart;
            flags[instances] = (byte) (instance.isRandomNext() ? 1 : 0);
            tokens += ids.length;
            offsets[++instances] = tokens;
        }

        private void drain() throws IOException {
            buffer.flip();
            tokensDigest.update(buffer.duplicate());
            while (buffer.hasRemaining()) {
                tokensChannel.write(buffer);
            }
            buffer.clear();
        }

        ShardManifest.Shard close() throws IOException {
            drain();
            tokensChannel.force(true);
            tokensChannel.close();
            ShardLayout layout = new ShardLayout(instances, tokens, tokenBytes);
            ByteBuffer index = ByteBuffer.allocate(Math.toIntExact(layout.indexBytes())).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i <= instances; i++) {
                index.putLong(offsets[i]);
            }
            for (int i = 0; i < instances; i++) {
                index.putInt(bStarts[i]);
            }
            index.put(flags, 0, instances);
            byte[] bits = wordStarts.toByteArray();
            index.put(bits).position(index.capacity()).flip();
            String indexSha = Sha256.of(index.array());
            try (FileChannel ch = FileChannel.open(dir.resolve(name + ".idx"), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                while (index.hasRemaining()) {
                    ch.write(index);
                }
                ch.force(true);
            }
            return new ShardManifest.Shard(instances, tokens,
                    new ShardManifest.ShardFile(name + ".bin", layout.tokensBytes(),
                            HexFormat.of().formatHex(tokensDigest.digest())),
                    new ShardManifest.ShardFile(name + ".idx", layout.indexBytes(), indexSha));
        }
    }
}
