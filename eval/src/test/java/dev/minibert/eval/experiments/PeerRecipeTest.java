package dev.minibert.eval.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.minibert.pretrain.Instance;
import dev.minibert.pretrain.InstanceBuilder;
import dev.minibert.pretrain.MaskingCollator;
import dev.minibert.tokenizer.BertTokenizer;
import dev.minibert.tokenizer.Vocab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/peer_recipe.py builds its pretraining batches as minibert's pretraining does (#26): its instances against
 * {@link InstanceBuilder}'s on the same documents, its predictions per sequence against {@link MaskingCollator}'s.
 * Until #26 the peer packed whole lines only up to the length (50 tokens a sequence on the corpus against minibert's
 * 58, 116 predictions a batch against 135) and rounded 4.5 predictions down. Skipped where /usr/bin/python3 has no
 * torch (peer_recipe imports it).
 */
class PeerRecipeTest {
    private static final Path SCRIPTS = Path.of("../scripts").toAbsolutePath().normalize();
    private static final int SEQ = 8; // short, so that lines are cut into pieces and chunks truncated

    @TempDir
    Path tmp;

    @Test
    void thePeerPacksTheSameDocumentsIntoTheSameInstancesAsMinibert() throws Exception {
        TinyData data = TinyData.write(tmp);
        Path tokens = tmp.resolve("corpus.tok.jsonl");
        PeerScripts.tokenize(data.corpus, data.vocab, tokens);
        List<String> peer = python("import json, random, peer_recipe\n"
                + "for r in peer_recipe.instances(sys.argv[1], " + SEQ + ", random.Random(1), 0.0):\n"
                + "    print(json.dumps(r, separators=(',', ':')))\n", tokens.toString());

        InstanceBuilder builder = new InstanceBuilder(new BertTokenizer(Vocab.read(data.vocab), true), SEQ, 0.0, 1);
        List<String> ours = new ArrayList<>();
        for (String document : TinyData.DOCUMENTS) {
            for (Instance i : builder.fromDocument(document.lines().map(String::strip).filter(l -> !l.isEmpty())
                    .toList())) {
                ours.add(Arrays.toString(i.inputIds()).replace(" ", ""));
            }
        }
        assertThat(lengths(peer)).as("every instance's length").isEqualTo(lengths(ours));
        assertThat(ours).as("some chunks are truncated, at random ends").anyMatch(i -> length(i) == SEQ)
                .anyMatch(i -> length(i) < SEQ);
        // a chunk shorter than SEQ was never truncated: the same tokens on both sides
        assertThat(sorted(peer.stream().filter(i -> length(i) < SEQ).toList()))
                .isEqualTo(sorted(ours.stream().filter(i -> length(i) < SEQ).toList()));
    }

    @Test
    void thePeerPredictsAsManyTokensPerSequenceAsMinibert() throws Exception {
        int seq = 64;
        int most = (int) Math.ceil(0.15 * seq);
        List<String> peer = python("import random, peer_recipe\n"
                + "for n in range(1, " + (seq - 1) + "):\n"
                + "    print(len(peer_recipe.masked_batch([[2] + [5] * n + [3]], " + seq
                + ", 100, random.Random(n))[4]))\n");
        Vocab vocab = Vocab.read(TinyData.write(tmp).vocab);
        MaskingCollator collator = new MaskingCollator(vocab, 0.15, most, false);
        List<String> ours = new ArrayList<>();
        for (int n = 1; n < seq - 1; n++) {
            int[] ids = new int[n + 2];
            Arrays.fill(ids, 5);
            ids[0] = vocab.clsId();
            ids[n + 1] = vocab.sepId();
            boolean[] wordStart = new boolean[n + 2];
            Arrays.fill(wordStart, true);
            ours.add(String.valueOf(collator.collate(List.of(new Instance(ids, new int[n + 2], wordStart, false)), n)
                    .maskedRows().length));
        }
        assertThat(peer).isEqualTo(ours);
        assertThat(ours.get(29)).as("30 candidates: round(4.5) is 5, as Google's and Java's rounding").isEqualTo("5");
    }

    /** Runs {@code code} with peer_recipe importable; its stdout's lines. */
    private static List<String> python(String code, String... args) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(PeerScripts.PYTHON), PeerScripts.PYTHON + " runs the peer");
        List<String> command = new ArrayList<>(List.of(PeerScripts.PYTHON.toString(), "-c",
                "import sys\nsys.path.insert(0, " + "'" + SCRIPTS + "')\n" + code));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        assumeTrue(!out.contains("No module named 'torch'"), PeerScripts.NO_TORCH);
        assertThat(rc).as(out).isZero();
        return out.lines().toList();
    }

    private static int length(String ids) {
        return ids.split(",").length;
    }

    private static List<Integer> lengths(List<String> instances) {
        return instances.stream().map(PeerRecipeTest::length).sorted().toList();
    }

    private static List<String> sorted(List<String> v) {
        return v.stream().sorted().toList();
    }
}
